"""Install the lab's CRDs and cluster objects (idempotently, by server-side apply)."""

from __future__ import annotations

import base64
import time
from pathlib import Path

import yaml
from kubernetes import client
from kubernetes.dynamic import DynamicClient
from kubernetes.dynamic.exceptions import UnprocessibleEntityError

from lab.runtime import wait_until

MANIFESTS = Path(__file__).parent / "manifests"
FIELD_MANAGER = "mtvweb-lab"
USER_NAMESPACE = "mtv-user"
USER_SERVICE_ACCOUNT = "lab-user"
NAMESPACES = ["openshift-mtv", "openshift-cnv", "mtv-user", "mtv-demo"]


def manifest_items(name: str) -> list[dict]:
    """The objects of manifests/<name>.yaml (a v1 List; YAML anchors share schema parts)."""
    return yaml.safe_load((MANIFESTS / f"{name}.yaml").read_text())["items"]


def apply(dynamic: DynamicClient, objects: list[dict]) -> None:
    for obj in objects:
        resource = dynamic.resources.get(api_version=obj["apiVersion"], kind=obj["kind"])
        meta = obj["metadata"]
        kwargs = {"name": meta["name"], "namespace": meta.get("namespace")}
        try:
            resource.server_side_apply(body=obj, field_manager=FIELD_MANAGER, force_conflicts=True, **kwargs)
        except UnprocessibleEntityError:
            if obj["kind"] != "StorageClass":
                raise
            # A StorageClass's provisioner and parameters are immutable: replace it.
            resource.delete(**kwargs)
            resource.server_side_apply(body=obj, field_manager=FIELD_MANAGER, force_conflicts=True, **kwargs)


def install_crds(api: client.ApiClient) -> None:
    crds = manifest_items("crd-kubevirt") + manifest_items("crd-cdi") + manifest_items("crd-network-snapshot")
    apply(DynamicClient(api), crds)
    extensions = client.ApiextensionsV1Api(api)

    for crd in crds:
        _wait_established(extensions, crd["metadata"]["name"])


def _wait_established(extensions: client.ApiextensionsV1Api, name: str) -> None:
    next_touch = time.monotonic() + 6

    def established():
        nonlocal next_touch
        found = extensions.read_custom_resource_definition(name)
        if any(c.type == "Established" and c.status == "True" for c in (found.status.conditions or [])):
            return True
        if time.monotonic() > next_touch:
            # An API server stopped right after creating a CRD never establishes it later
            # by itself; any update of the CRD queues it again.
            next_touch = time.monotonic() + 6
            extensions.patch_custom_resource_definition(
                name, {"metadata": {"annotations": {"lab.mtvweb/requeued": str(time.time())}}}
            )
        return False

    wait_until(established, timeout=40, interval=0.2, what=f"CRD {name} Established")


def install_cluster_objects(api: client.ApiClient) -> None:
    # A fresh DynamicClient so discovery sees the CRDs just installed.
    dynamic = DynamicClient(api)
    dynamic.resources.invalidate_cache()
    objects = manifest_items("cluster") + manifest_items("storage")
    namespaces = [o for o in objects if o["kind"] == "Namespace"]
    apply(dynamic, namespaces)
    apply(dynamic, [o for o in objects if o["kind"] != "Namespace"])


def storage_classes() -> dict[str, dict]:
    """Name → provisioner and capacity limit (None: unlimited), as the manifest defines them."""
    classes = {}
    for obj in manifest_items("storage"):
        if obj["kind"] == "StorageClass":
            annotations = obj["metadata"].get("annotations", {})
            classes[obj["metadata"]["name"]] = {
                "provisioner": obj["provisioner"],
                "capacity": annotations.get("lab.mtvweb/capacity"),
                "default": annotations.get("storageclass.kubernetes.io/is-default-class") == "true",
                "volume_binding_mode": obj.get("volumeBindingMode", "Immediate"),
                "reclaim_policy": obj.get("reclaimPolicy", "Delete"),
            }
    return classes


def network_attachment_definitions() -> list[str]:
    return [
        f"{o['metadata']['namespace']}/{o['metadata']['name']}"
        for o in manifest_items("cluster")
        if o["kind"] == "NetworkAttachmentDefinition"
    ]


def user_token(api: client.ApiClient, timeout: float = 60) -> str:
    """The long-lived token the token controller writes into the lab user's Secret."""
    core = client.CoreV1Api(api)

    def token():
        secret = core.read_namespaced_secret("lab-user-token", USER_NAMESPACE)
        data = secret.data or {}
        return base64.b64decode(data["token"]).decode() if data.get("token") else None

    return wait_until(token, timeout=timeout, interval=0.3, what="token of ServiceAccount mtv-user/lab-user")


def wait_namespaces_ready(api: client.ApiClient, namespaces: list[str], timeout: float = 60) -> None:
    """Until the controllers gave each namespace its `default` ServiceAccount and root CA:
    Pods are refused (or cannot mount their token) before that."""
    core = client.CoreV1Api(api)
    for namespace in namespaces:
        wait_until(
            lambda ns=namespace: (
                core.read_namespaced_service_account("default", ns)
                and core.read_namespaced_config_map("kube-root-ca.crt", ns)
            ),
            timeout=timeout,
            what=f"ServiceAccount default and ConfigMap kube-root-ca.crt in {namespace}",
        )

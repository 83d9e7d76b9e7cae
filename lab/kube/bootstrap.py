"""Install the lab's CRDs and cluster objects (idempotently, by server-side apply)."""

from __future__ import annotations

import base64
from pathlib import Path

import yaml
from kubernetes import client
from kubernetes.dynamic import DynamicClient

from lab.runtime import wait_until

MANIFESTS = Path(__file__).parent / "manifests"
FIELD_MANAGER = "mtvweb-lab"
USER_NAMESPACE = "mtv-user"
USER_SERVICE_ACCOUNT = "lab-user"


def manifest_items(name: str) -> list[dict]:
    """The objects of manifests/<name>.yaml (a v1 List; YAML anchors share schema parts)."""
    return yaml.safe_load((MANIFESTS / f"{name}.yaml").read_text())["items"]


def apply(dynamic: DynamicClient, objects: list[dict]) -> None:
    for obj in objects:
        resource = dynamic.resources.get(api_version=obj["apiVersion"], kind=obj["kind"])
        meta = obj["metadata"]
        resource.server_side_apply(
            body=obj,
            name=meta["name"],
            namespace=meta.get("namespace"),
            field_manager=FIELD_MANAGER,
            force_conflicts=True,
        )


def install_crds(api: client.ApiClient) -> None:
    crds = manifest_items("crd-kubevirt") + manifest_items("crd-cdi") + manifest_items("crd-network-snapshot")
    apply(DynamicClient(api), crds)
    extensions = client.ApiextensionsV1Api(api)

    def established(name):
        crd = extensions.read_custom_resource_definition(name)
        return any(c.type == "Established" and c.status == "True" for c in (crd.status.conditions or []))

    for crd in crds:
        wait_until(lambda: established(crd["metadata"]["name"]), timeout=30, what=f"CRD {crd['metadata']['name']}")


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

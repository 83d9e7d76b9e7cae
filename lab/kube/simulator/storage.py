"""A dynamic provisioner for the lab's StorageClasses, backed by local files.

Plays the external provisioners (ceph-csi, hostpath-provisioner, ...): for a Pending PVC
of a class it knows, it creates a PersistentVolume sized to the request with a claimRef
to the PVC, and the real PV controller binds the two. Filesystem volumes are a directory,
Block volumes one sparse file of the requested size; the path is on the PV (hostPath and
annotation `lab.mtvweb/path`) and on the PVC (same annotation). Released volumes of a
class with reclaimPolicy Delete are removed together with their backing path.
"""

from __future__ import annotations

import logging
import shutil
import threading
from pathlib import Path

from kubernetes import client
from kubernetes.client.exceptions import ApiException
from kubernetes.utils import parse_quantity

from lab.kube.simulator.config import Config
from lab.kube.simulator.events import EventRecorder

log = logging.getLogger(__name__)

PATH_ANNOTATION = "lab.mtvweb/path"
CAPACITY_ANNOTATION = "lab.mtvweb/capacity"
CAPACITY_NAMESPACE = "openshift-cnv"  # where the lab's "CSI driver" publishes CSIStorageCapacity objects
CLASS_LABEL = "lab.mtvweb/storage-class"
PROVISIONED_BY = "pv.kubernetes.io/provisioned-by"
SELECTED_NODE = "volume.kubernetes.io/selected-node"

# The provisioners of the guide's §2.2 table: the lab provisions volumes for these.
KNOWN_PROVISIONERS = {
    "kubernetes.io/aws-ebs",
    "kubernetes.io/azure-disk",
    "kubernetes.io/azure-file",
    "kubernetes.io/cinder",
    "kubernetes.io/gce-pd",
    "kubernetes.io/hostpath-provisioner",
    "manila.csi.openstack.org",
    "openshift-storage.cephfs.csi.ceph.com",
    "openshift-storage.rbd.csi.ceph.com",
    "kubernetes.io/rbd",
    "kubernetes.io/vsphere-volume",
}


def format_bytes(value: int) -> str:
    for unit, size in (("Gi", 1 << 30), ("Mi", 1 << 20), ("Ki", 1 << 10)):
        if value >= size and value % size == 0:
            return f"{value // size}{unit}"
    return str(value)


class Provisioner:
    def __init__(self, config: Config):
        self.config = config
        self.api = config.api_client()
        self.core = client.CoreV1Api(self.api)
        self.storage = client.StorageV1Api(self.api)
        self.events = EventRecorder(self.api, "lab-cluster-simulator/provisioner")
        self.lock = threading.Lock()  # one provisioning decision at a time: capacity sums must not race
        for storage_class in self.storage.list_storage_class().items:
            self.publish_capacity(storage_class.metadata.name)

    # --- CSIStorageCapacity: what a capacity-tracking CSI driver tells the cluster -----------

    def used(self, class_name: str) -> int:
        volumes = self.core.list_persistent_volume(label_selector=f"{CLASS_LABEL}={class_name}").items
        return sum(int(parse_quantity(pv.spec.capacity["storage"])) for pv in volumes)

    def publish_capacity(self, class_name: str) -> None:
        """Free space of a class with a capacity limit, as storage.k8s.io/v1 CSIStorageCapacity."""
        try:
            storage_class = self.storage.read_storage_class(class_name)
        except ApiException as exc:
            if exc.status == 404:
                return
            raise
        limit_text = (storage_class.metadata.annotations or {}).get(CAPACITY_ANNOTATION)
        if not limit_text:
            return
        free = max(int(parse_quantity(limit_text)) - self.used(class_name), 0)
        body = {"apiVersion": "storage.k8s.io/v1", "kind": "CSIStorageCapacity",
                "metadata": {"name": f"lab-{class_name}", "namespace": CAPACITY_NAMESPACE},
                "storageClassName": class_name, "capacity": format_bytes(free)}
        try:
            try:
                self.storage.patch_namespaced_csi_storage_capacity(
                    body["metadata"]["name"], CAPACITY_NAMESPACE, {"capacity": body["capacity"]})
            except ApiException as exc:
                if exc.status != 404:
                    raise
                self.storage.create_namespaced_csi_storage_capacity(CAPACITY_NAMESPACE, body)
        except ApiException as exc:  # capacity reporting must never stop provisioning
            log.warning("could not publish the capacity of %s: %s", class_name, exc.reason)

    # --- PersistentVolumeClaims ----------------------------------------------------------

    def on_claim(self, kind: str, pvc: dict) -> None:
        if kind == "DELETED":
            return
        spec, status = pvc["spec"], pvc.get("status") or {}
        if spec.get("volumeName") or status.get("phase") not in (None, "Pending"):
            return
        if pvc["metadata"].get("deletionTimestamp") or not spec.get("storageClassName"):
            return
        try:
            storage_class = self.storage.read_storage_class(spec["storageClassName"])
        except ApiException as exc:
            if exc.status == 404:
                return
            raise
        if storage_class.provisioner not in KNOWN_PROVISIONERS:
            return
        annotations = pvc["metadata"].get("annotations") or {}
        selected_node = annotations.get(SELECTED_NODE)
        if storage_class.volume_binding_mode == "WaitForFirstConsumer" and not selected_node:
            return  # the scheduler picks a node when a Pod uses the claim
        with self.lock:
            self._provision(pvc, storage_class, selected_node)

    def _provision(self, pvc: dict, storage_class, selected_node: str | None) -> None:
        meta, spec = pvc["metadata"], pvc["spec"]
        pv_name = f"pvc-{meta['uid']}"
        try:
            self.core.read_persistent_volume(pv_name)
            return  # already provisioned (e.g. before a restart); the PV controller binds it
        except ApiException as exc:
            if exc.status != 404:
                raise
        requested = int(parse_quantity(spec["resources"]["requests"]["storage"]))
        if not self._fits(pvc, storage_class, requested):
            return
        volume_mode = spec.get("volumeMode") or "Filesystem"
        path = self.config.volumes_dir / meta["namespace"] / f"{meta['name']}-{meta['uid']}"
        path.parent.mkdir(parents=True, exist_ok=True)
        if volume_mode == "Block":
            path = path.with_suffix(".img")
            with open(path, "wb") as f:
                f.truncate(requested)
        else:
            path.mkdir(exist_ok=True)
        pv = {
            "metadata": {
                "name": pv_name,
                "labels": {CLASS_LABEL: storage_class.metadata.name},
                "annotations": {PROVISIONED_BY: storage_class.provisioner, PATH_ANNOTATION: str(path)},
            },
            "spec": {
                "capacity": {"storage": format_bytes(requested)},
                "accessModes": spec.get("accessModes") or ["ReadWriteOnce"],
                "volumeMode": volume_mode,
                "storageClassName": storage_class.metadata.name,
                "persistentVolumeReclaimPolicy": storage_class.reclaim_policy or "Delete",
                "mountOptions": storage_class.mount_options,
                "claimRef": {
                    "apiVersion": "v1",
                    "kind": "PersistentVolumeClaim",
                    "namespace": meta["namespace"],
                    "name": meta["name"],
                    "uid": meta["uid"],
                },
                "hostPath": {"path": str(path), "type": ""},
            },
        }
        if selected_node:
            # Node-local storage (as hostpath-provisioner does): the volume lives on that node.
            pv["spec"]["nodeAffinity"] = {
                "required": {
                    "nodeSelectorTerms": [
                        {
                            "matchExpressions": [
                                {"key": "kubernetes.io/hostname", "operator": "In", "values": [selected_node]}
                            ]
                        }
                    ]
                }
            }
        self.core.create_persistent_volume(pv)
        try:
            self.core.patch_namespaced_persistent_volume_claim(
                meta["name"], meta["namespace"], {"metadata": {"annotations": {PATH_ANNOTATION: str(path)}}}
            )
        except ApiException as exc:
            if exc.status != 404:
                raise
        self.events.record(
            pvc,
            "PersistentVolumeClaim",
            "Normal",
            "ProvisioningSucceeded",
            f"Successfully provisioned volume {pv_name} ({volume_mode} at {path})",
        )
        log.info("provisioned %s for %s/%s at %s", pv_name, meta["namespace"], meta["name"], path)
        self.publish_capacity(storage_class.metadata.name)

    def _fits(self, pvc: dict, storage_class, requested: int) -> bool:
        limit_text = (storage_class.metadata.annotations or {}).get(CAPACITY_ANNOTATION)
        if not limit_text:
            return True
        limit = int(parse_quantity(limit_text))
        used = self.used(storage_class.metadata.name)
        if used + requested <= limit:
            return True
        self.events.record(
            pvc,
            "PersistentVolumeClaim",
            "Warning",
            "ProvisioningFailed",
            f'failed to provision volume with StorageClass "{storage_class.metadata.name}": insufficient capacity: '
            f"requested {format_bytes(requested)}, but only {format_bytes(max(limit - used, 0))} of "
            f"{format_bytes(limit)} is free in this storage class",
        )
        return False

    # --- PersistentVolumes ---------------------------------------------------------------

    def on_volume(self, kind: str, pv: dict) -> None:
        annotations = pv["metadata"].get("annotations") or {}
        if PATH_ANNOTATION not in annotations or annotations.get(PROVISIONED_BY) not in KNOWN_PROVISIONERS:
            return
        path = Path(annotations[PATH_ANNOTATION])
        if kind == "DELETED":
            self.publish_capacity(pv["spec"].get("storageClassName", ""))
            return
        phase = (pv.get("status") or {}).get("phase")
        if phase == "Released" and pv["spec"].get("persistentVolumeReclaimPolicy") == "Delete":
            self._remove_backing(path)
            try:
                self.core.delete_persistent_volume(pv["metadata"]["name"])
                log.info("deleted released volume %s and %s", pv["metadata"]["name"], path)
            except ApiException as exc:
                if exc.status != 404:
                    raise

    def _remove_backing(self, path: Path) -> None:
        # Only ever remove what lies under our volumes directory.
        if self.config.volumes_dir.resolve() not in path.resolve().parents:
            log.warning("not removing %s: outside %s", path, self.config.volumes_dir)
            return
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        elif path.exists():
            path.unlink()

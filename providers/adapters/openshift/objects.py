"""Kubernetes objects → what the inventory keeps of them.

Records follow Forklift's OpenShift inventory (`uid`, `version`, `namespace`, `name`, `id`,
`object` — the resource itself), plus the facts the network and storage maps need at the top
level (a storage class's provisioner and its StorageProfile's claimPropertySets, a NAD's CNI
type). PVCs, DataVolumes and VMIs are not served as collections: they are kept in memory as
small summaries and folded into the VM records (disk sizes, MACs, node).
"""

from __future__ import annotations

import json
import math

from kubernetes.utils import parse_quantity

from providers.adapters.base import Item

LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"
DEFAULT_CLASS = "storageclass.kubernetes.io/is-default-class"
DEFAULT_VIRT_CLASS = "storageclass.kubevirt.io/is-default-virt-class"


def key(obj: dict) -> tuple[str, str]:
    meta = obj.get("metadata", {})
    return meta.get("namespace", ""), meta.get("name", "")


def quantity(value) -> int | None:
    """A Kubernetes quantity ("16Mi", "1G", 5) in its base unit, rounded up; None if absent or invalid."""
    if value in (None, ""):
        return None
    try:
        number = parse_quantity(value)
    except (ValueError, TypeError):
        return None
    return math.ceil(number)


def trimmed(obj: dict) -> dict:
    """The object as served, without the bookkeeping nobody reads (managedFields, last-applied)."""
    meta = dict(obj.get("metadata", {}))
    meta.pop("managedFields", None)
    if LAST_APPLIED in (meta.get("annotations") or {}):
        meta["annotations"] = {k: v for k, v in meta["annotations"].items() if k != LAST_APPLIED}
    return {**obj, "metadata": meta}


def resource(obj: dict, path: str) -> dict:
    """Forklift's REST Resource fields."""
    meta = obj.get("metadata", {})
    return {
        "uid": meta.get("uid", ""),
        "id": meta.get("uid", ""),
        "version": meta.get("resourceVersion", ""),
        "namespace": meta.get("namespace", ""),
        "name": meta.get("name", ""),
        "path": path,
    }


# --- served kinds ---------------------------------------------------------------------------


def namespace_item(obj: dict) -> Item:
    name = obj["metadata"]["name"]
    data = {**resource(obj, f"/{name}"), "phase": obj.get("status", {}).get("phase", ""), "object": trimmed(obj)}
    return Item(kind="folder", uid=data["uid"], name=name, path=data["path"], data=data)


def storage_class_item(obj: dict, profile: dict | None, available: int | None = None) -> Item:
    name = obj["metadata"]["name"]
    annotations = obj["metadata"].get("annotations") or {}
    status = (profile or {}).get("status", {})
    data = {
        **resource(obj, f"/{name}"),
        "provisioner": obj.get("provisioner", ""),
        "isDefault": annotations.get(DEFAULT_CLASS) == "true",
        "isDefaultVirt": annotations.get(DEFAULT_VIRT_CLASS) == "true",
        "volumeBindingMode": obj.get("volumeBindingMode", "Immediate"),
        "reclaimPolicy": obj.get("reclaimPolicy", "Delete"),
        "allowVolumeExpansion": bool(obj.get("allowVolumeExpansion")),
        # What CDI knows the storage supports, best first; empty when the profile has none
        # (the storage map then falls back to the provisioner table of guide §2.2).
        "claimPropertySets": [
            {"accessModes": list(s.get("accessModes") or []), "volumeMode": s.get("volumeMode", "")}
            for s in status.get("claimPropertySets") or []
        ],
        "cloneStrategy": status.get("cloneStrategy", ""),
        "storageProfile": bool(profile),
        # Free bytes the cluster reports for the class (CSIStorageCapacity); None when it reports none.
        "availableCapacity": available,
        "object": trimmed(obj),
    }
    return Item(kind="storage", uid=data["uid"], name=name, path=data["path"], data=data)


def nad_item(obj: dict, namespace_uid: str) -> Item:
    namespace, name = key(obj)
    config = obj.get("spec", {}).get("config", "")
    try:
        cni = json.loads(config) if config else {}
    except ValueError:
        cni = {}
    if not isinstance(cni, dict):
        cni = {}
    plugins = cni.get("plugins") or [{}]
    data = {
        **resource(obj, f"/{namespace}/{name}"),
        "cniType": cni.get("type") or (plugins[0].get("type", "") if isinstance(plugins[0], dict) else ""),
        "object": trimmed(obj),
    }
    return Item(kind="network", uid=data["uid"], name=name, path=data["path"], data=data,
                parent_kind="folder" if namespace_uid else "", parent_uid=namespace_uid)


# --- summaries folded into VM records -------------------------------------------------------


def claim_summary(obj: dict) -> dict:
    spec, status = obj.get("spec", {}), obj.get("status", {})
    return {
        "uid": obj["metadata"].get("uid", ""),
        "storageClass": spec.get("storageClassName") or "",
        "volumeMode": spec.get("volumeMode") or "Filesystem",
        "accessModes": list(spec.get("accessModes") or []),
        "requested": quantity((spec.get("resources") or {}).get("requests", {}).get("storage")),
        "capacity": quantity((status.get("capacity") or {}).get("storage")),
        "phase": status.get("phase", ""),
    }


def data_volume_summary(obj: dict) -> dict:
    spec = obj.get("spec", {})
    target = spec.get("storage") or spec.get("pvc") or {}
    source = spec.get("source") or spec.get("sourceRef") or {}
    return {
        "uid": obj.get("metadata", {}).get("uid", ""),
        "storageClass": target.get("storageClassName") or "",
        "volumeMode": target.get("volumeMode") or "",
        "accessModes": list(target.get("accessModes") or []),
        "requested": quantity((target.get("resources") or {}).get("requests", {}).get("storage")),
        "phase": obj.get("status", {}).get("phase", ""),
        "source": next(iter(source), "") if isinstance(source, dict) else "",
    }


def instance_summary(obj: dict) -> dict:
    status = obj.get("status", {})
    return {
        "uid": obj["metadata"].get("uid", ""),
        "phase": status.get("phase", ""),
        "nodeName": status.get("nodeName", ""),
        "interfaces": [
            {k: i.get(k) for k in ("name", "mac", "ipAddress", "ipAddresses") if i.get(k)}
            for i in status.get("interfaces") or []
        ],
        "guestOS": (status.get("guestOSInfo") or {}).get("prettyName", ""),
    }


def instancetype_summary(obj: dict) -> dict:
    spec = obj.get("spec", {})
    return {"cpus": (spec.get("cpu") or {}).get("guest"), "memory": quantity((spec.get("memory") or {}).get("guest"))}

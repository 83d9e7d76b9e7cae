"""The engine's in-memory state: entities by collection path, plus the audit log (events)."""

from __future__ import annotations

import datetime
import uuid

from lab.ovirt.schema import LINKS, pattern_of


def ref(kind: str, entity_id: str) -> dict:
    return {"@": kind, "id": entity_id}


def now_text() -> str:
    return datetime.datetime.now(datetime.UTC).isoformat(timespec="milliseconds")


def _ref_id(value) -> str | None:
    return value.get("id") if isinstance(value, dict) else None


class Store:
    def __init__(self, inventory: dict):
        # "vms" -> {id: vm}, "vms/<id>/nics" -> {id: nic}, ...
        self.collections: dict[str, dict[str, dict]] = {
            path: {item["id"]: item for item in items} for path, items in inventory["collections"].items()
        }
        self.collections.setdefault("events", {})
        self.collections.setdefault("imagetransfers", {})
        self.next_event_id = 1 + max((int(i) for i in self.collections["events"]), default=0)

    # --- reading ---------------------------------------------------------------------

    def collection(self, path: str) -> list[tuple[str, dict]] | None:
        """Items of a collection path as (entity path, entity); None if there is no such collection."""
        computed = _COMPUTED.get(pattern_of(path))
        if computed is not None:
            parent_id = path.split("/")[-2]
            return computed(self, parent_id)
        items = self.collections.get(path)
        if items is None:
            parent, _, rel = path.rpartition("/")
            if not parent or rel not in LINKS.get(pattern_of(parent), []) or self.get(parent) is None:
                return None
            return []
        return [(f"{path}/{entity_id}", entity) for entity_id, entity in items.items()]

    def get(self, path: str) -> dict | None:
        collection_path, _, entity_id = path.rpartition("/")
        if pattern_of(collection_path) in _COMPUTED:
            return next((e for p, e in self.collection(collection_path) or [] if e["id"] == entity_id), None)
        return self.collections.get(collection_path, {}).get(entity_id)

    def resolve(self, reference: dict) -> dict | None:
        return self.collections.get(reference["@"], {}).get(reference["id"])

    def top(self, kind: str) -> list[dict]:
        return list(self.collections.get(kind, {}).values())

    # --- writing ---------------------------------------------------------------------

    def add(self, collection_path: str, entity: dict) -> dict:
        entity.setdefault("id", str(uuid.uuid4()))
        self.collections.setdefault(collection_path, {})[entity["id"]] = entity
        return entity

    def remove(self, path: str) -> None:
        collection_path, _, entity_id = path.rpartition("/")
        self.collections.get(collection_path, {}).pop(entity_id, None)
        for key in [k for k in self.collections if k.startswith(path + "/")]:
            del self.collections[key]

    def event(self, code: int, description: str, severity: str = "normal", **refs) -> dict:
        """Append to the audit log; refs are vm=, host=, cluster=, data_center=, storage_domain= entities."""
        event_id = str(self.next_event_id)
        self.next_event_id += 1
        entity = {
            "id": event_id,
            "code": code,
            "description": description,
            "severity": severity,
            "time": now_text(),
            "origin": "oVirt",
            "custom_id": -1,
            "flood_rate": 30,
            "index": int(event_id),
            "log_on_host": False,
            "correlation_id": str(uuid.uuid4()),
            "user": ref("users", ADMIN_USER_ID),
        }
        kinds = {"vm": "vms", "host": "hosts", "cluster": "clusters", "data_center": "datacenters",
                 "storage_domain": "storagedomains", "template": "templates"}
        for key, target in refs.items():
            if target is not None:
                entity[key] = ref(kinds[key], target["id"])
        self.collections["events"][event_id] = entity
        return entity


ADMIN_USER_ID = "5ca1ab1e-0000-4000-8000-00000000ad31"


def _dc_clusters(store, dc_id):
    return [(f"clusters/{c['id']}", c) for c in store.top("clusters") if _ref_id(c.get("data_center")) == dc_id]


def _dc_networks(store, dc_id):
    return [(f"networks/{n['id']}", n) for n in store.top("networks") if _ref_id(n.get("data_center")) == dc_id]


def _dc_storage_domains(store, dc_id):
    return [
        (f"storagedomains/{sd['id']}", sd)
        for sd in store.top("storagedomains")
        if any(_ref_id(dc) == dc_id for dc in sd.get("data_centers") or [])
    ]


def _cluster_networks(store, cluster_id):
    cluster = store.collections["clusters"].get(cluster_id, {})
    return _dc_networks(store, _ref_id(cluster.get("data_center")))


def _network_profiles(store, network_id):
    return [(f"vnicprofiles/{p['id']}", p) for p in store.top("vnicprofiles") if _ref_id(p.get("network")) == network_id]


def _domain_disks(store, sd_id):
    return [
        (f"disks/{d['id']}", d)
        for d in store.top("disks")
        if any(_ref_id(sd) == sd_id for sd in d.get("storage_domains") or [])
    ]


def _domain_vms(store, sd_id):
    disk_ids = {d["id"] for _, d in _domain_disks(store, sd_id)}
    result = []
    for vm in store.top("vms"):
        attachments = store.collections.get(f"vms/{vm['id']}/diskattachments", {})
        if disk_ids.intersection(attachments):
            result.append((f"vms/{vm['id']}", vm))
    return result


_COMPUTED = {
    "datacenters/clusters": _dc_clusters,
    "datacenters/networks": _dc_networks,
    "datacenters/storagedomains": _dc_storage_domains,
    "clusters/networks": _cluster_networks,
    "networks/vnicprofiles": _network_profiles,
    "storagedomains/disks": _domain_disks,
    "storagedomains/vms": _domain_vms,
}

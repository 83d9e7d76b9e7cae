"""What the collector knows of the engine, and how records become Items.

Records are kept by kind and id, with indexes from each disk and vNIC profile to the VMs that
embed it, so that a change to one object yields exactly the Items it affects: the object
itself, the VMs that embed it, and — when a name changes — everything whose path runs
through it. Paths follow Forklift: /<data center>/<cluster>/<VM>, /<data center>/<network>,
/<data center>/<storage domain>.
"""

from __future__ import annotations

from collections import defaultdict

from providers.adapters.base import Item
from providers.adapters.ovirt.records import expand_vm

SMALL_KINDS = ["datacenter", "cluster", "host", "network", "nicprofile", "storage", "diskprofile"]
# kind → (parent kind, the record field naming the parent)
PARENT = {
    "cluster": ("datacenter", "dataCenter"),
    "host": ("cluster", "cluster"),
    "network": ("datacenter", "dataCenter"),
    "storage": ("datacenter", "dataCenter"),
    "nicprofile": ("network", "network"),
    "diskprofile": ("storage", "storageDomain"),
    "disk": ("storage", "storageDomain"),
    "vm": ("cluster", "cluster"),
}
# Kinds whose paths run through a renamed object of the key kind.
BELOW = {
    "datacenter": ["cluster", "host", "network", "storage", "nicprofile", "diskprofile", "disk", "vm"],
    "cluster": ["host", "vm"],
    "network": ["nicprofile"],
    "storage": ["diskprofile", "disk"],
}


class Tree:
    def __init__(self):
        self.objects: dict[str, dict[str, dict]] = {kind: {} for kind in SMALL_KINDS}
        self.disks: dict[str, dict] = {}
        self.vms: dict[str, dict] = {}  # VM records with disk and profile ids (records.vm)
        self.vms_of_disk: dict[str, set[str]] = defaultdict(set)
        self.vms_of_profile: dict[str, set[str]] = defaultdict(set)
        self.removed: dict[str, set[str]] = defaultdict(set)  # drained by the collector

    # --- paths ------------------------------------------------------------------------------

    def record(self, kind: str, uid: str) -> dict | None:
        if kind == "vm":
            return self.vms.get(uid)
        if kind == "disk":
            return self.disks.get(uid)
        return self.objects[kind].get(uid)

    def path(self, kind: str, record: dict) -> str:
        names = [record["name"]]
        while kind in PARENT:
            kind, field = PARENT[kind]
            record = self.record(kind, record.get(field, ""))
            if record is None:
                break
            names.append(record["name"])
        return "/" + "/".join(reversed(names))

    def item(self, kind: str, record: dict) -> Item:
        parent_kind, field = PARENT.get(kind, ("", ""))
        parent_uid = record.get(field, "") if field else ""
        path = self.path(kind, record)
        if kind != "vm":
            return Item(kind=kind, uid=record["id"], name=record["name"], data=record, path=path,
                        parent_kind=parent_kind if parent_uid else "", parent_uid=parent_uid)
        data = {**expand_vm(record, self.disks, self.objects["nicprofile"]), "path": path}
        return Item(kind="vm", uid=record["id"], name=record["name"], data=data, path=path,
                    parent_kind="cluster" if record["cluster"] else "", parent_uid=record["cluster"],
                    power_state=record["status"], host_uid=record["host"], cluster_uid=record["cluster"])

    def items(self, kind: str, uids) -> list[Item]:
        return [self.item(kind, r) for uid in uids if (r := self.record(kind, uid)) is not None]

    # --- updates: each returns the Items that changed because of it ---------------------------

    def put_small(self, fresh: dict[str, list[dict]]) -> list[Item]:
        changed: dict[str, set[str]] = defaultdict(set)
        renamed: set[str] = set()
        for kind, found in fresh.items():
            stored, current = self.objects[kind], {r["id"]: r for r in found}
            for uid in set(stored) - set(current):
                self.removed[kind].add(uid)
                renamed.add(kind)
            for uid, record in current.items():
                old = stored.get(uid)
                if old != record:
                    changed[kind].add(uid)
                    if old is None or old["name"] != record["name"] or path_parent(kind, old) != path_parent(kind, record):
                        renamed.add(kind)
            self.objects[kind] = current
        for kind in renamed:  # every path below a renamed, moved or removed object
            for below in BELOW.get(kind, []):
                changed[below] |= set(self.vms if below == "vm" else self.disks if below == "disk"
                                      else self.objects[below])
        for profile in changed.get("nicprofile", set()):
            changed["vm"] |= self.vms_of_profile.get(profile, set())
        return [item for kind, uids in changed.items() for item in self.items(kind, uids)]

    def put_disks(self, found: list[dict], complete: bool = False) -> list[Item]:
        """Disks read from the engine; `complete` when this is every disk (others are gone)."""
        changed = {d["id"] for d in found if self.disks.get(d["id"]) != d}
        self.disks.update({d["id"]: d for d in found})
        if complete:
            gone = set(self.disks) - {d["id"] for d in found}
            for uid in gone:
                del self.disks[uid]
            self.removed["disk"] |= gone
            changed |= gone
        vms = set().union(*(self.vms_of_disk.get(uid, set()) for uid in changed)) if changed else set()
        return self.items("disk", changed) + self.items("vm", vms)

    def put_vms(self, found: list[dict]) -> list[Item]:
        for record in found:
            self.unindex(record["id"])
            self.vms[record["id"]] = record
            for attachment in record["diskAttachments"]:
                self.vms_of_disk[attachment["disk"]].add(record["id"])
            for nic in record["nics"]:
                self.vms_of_profile[nic["profile"]].add(record["id"])
        return [self.item("vm", r) for r in found]

    def remove_vms(self, uids: list[str]) -> list[str]:
        for uid in uids:
            self.unindex(uid)
            self.vms.pop(uid, None)
        return list(uids)

    def unindex(self, uid: str) -> None:
        old = self.vms.get(uid)
        if old is None:
            return
        for attachment in old["diskAttachments"]:
            self.vms_of_disk[attachment["disk"]].discard(uid)
        for nic in old["nics"]:
            self.vms_of_profile[nic["profile"]].discard(uid)

    def drain_removed(self) -> dict[str, set[str]]:
        removed, self.removed = self.removed, defaultdict(set)
        return removed


def path_parent(kind: str, record: dict) -> str:
    return record.get(PARENT[kind][1], "") if kind in PARENT else ""

"""oVirt inventory: a full load, then the engine's event log (`events?from=<last id>`) tells which
VMs changed, and only those are read again — in batches, with their devices in the same request.

The engine has no change feed for everything: storage domain usage and most network changes
raise no event, so the small collections (data centers, clusters, hosts, networks, profiles,
storage domains) are also read again every SMALL_REFRESH_SECONDS; the store keeps only what
changed. When the event log cannot be trusted — more events than one page holds, or ids that
went backwards because the engine started over — everything is loaded again.
"""

from __future__ import annotations

import logging
import threading
import time

from providers.adapters.base import Collector, Item
from providers.adapters.ovirt import records
from providers.adapters.ovirt.client import INVENTORY_TIMEOUT, TIMEOUT, OvirtClient
from providers.adapters.ovirt.tree import Tree

log = logging.getLogger(__name__)
POLL_SECONDS = 1.0
SMALL_REFRESH_SECONDS = 30.0
RESTART_CHECK_SECONDS = 10.0
DISK_RELIST_SECONDS = 10.0  # image transfers raise events with no VM: re-list disks at most this often
EVENT_PAGE = 1000  # a fuller page than this means events may have been missed: reload
VM_BATCH = 50  # VMs read again per request (`search=id=a or id=b …`)
# Events that change objects but name no VM (engine AuditLogType codes).
CLUSTER_EVENTS = {809, 811, 813}
HOST_EVENTS = {42, 43, 44}
DATACENTER_EVENTS = {950, 952, 954}
PROFILE_EVENTS = {1122, 1124, 1126, 10120, 10122, 10124}
DISK_EVENTS = {2014, 2021, 2042, 1031, 1032, 1033, 1034}


class Reload(Exception):
    """The event log has a gap; only a full load is safe."""


class OvirtCollector(Collector):
    def __init__(self, url: str, credentials: dict):
        self.url = url
        self.credentials = credentials
        self.clients: dict[int, OvirtClient] = {}  # by request timeout: long for full lists, short for polls
        self.tree = Tree()
        self.last_event = 0
        self.small_refreshed = 0.0
        self.restart_checked = 0.0
        self.disks_stale = False
        self.disks_listed = 0.0

    def connect(self, timeout: int = TIMEOUT) -> OvirtClient:
        if timeout not in self.clients:
            self.clients[timeout] = OvirtClient(self.url, self.credentials, timeout=timeout)
        return self.clients[timeout]

    def close(self) -> None:
        for client in self.clients.values():
            client.close()
        self.clients.clear()

    def call(self, fn, timeout: int = TIMEOUT):
        """Run fn(system service); a lost engine becomes a ProviderError (the watcher reconnects)."""
        client = self.connect(timeout)
        with client.translated():
            return fn(client.system)

    # --- full load --------------------------------------------------------------------------

    def load(self):
        try:
            self.tree = Tree()
            # Take the event position first: whatever changes while the load runs is replayed after it.
            self.last_event = self.newest_event_id(INVENTORY_TIMEOUT)
            yield from self.refresh_small(INVENTORY_TIMEOUT)
            yield from self.relist_disks(INVENTORY_TIMEOUT)
            vms = self.call(lambda s: s.vms_service().list(follow=records.LOAD_FOLLOW), INVENTORY_TIMEOUT)
            yield from self.put_vms(vms)
            self.tree.drain_removed()  # a full load replaces everything anyway
            self.restart_checked = time.monotonic()
        except BaseException:
            self.close()
            raise

    def refresh_small(self, timeout: int = TIMEOUT) -> list[Item]:
        """Read the small collections; return the items that changed (and the VMs they touch)."""
        self.small_refreshed = time.monotonic()
        lists = self.call(lambda s: (
            s.data_centers_service().list(),
            s.clusters_service().list(),
            s.hosts_service().list(follow="nics,network_attachments"),
            s.networks_service().list(),
            s.vnic_profiles_service().list(),
            s.storage_domains_service().list(),
            s.disk_profiles_service().list(),
        ), timeout)
        builders = [records.datacenter, records.cluster, records.host, records.network, records.nic_profile,
                    records.storage_domain, records.disk_profile]
        kinds = ["datacenter", "cluster", "host", "network", "nicprofile", "storage", "diskprofile"]
        return self.tree.put_small({kind: [build(o) for o in objects if o.id]
                                    for kind, build, objects in zip(kinds, builders, lists, strict=True)})

    def relist_disks(self, timeout: int = INVENTORY_TIMEOUT) -> list[Item]:
        self.disks_stale, self.disks_listed = False, time.monotonic()
        disks = self.call(lambda s: s.disks_service().list(), timeout)
        return self.tree.put_disks([records.disk(d) for d in disks if d.id], complete=True)

    def put_vms(self, vms) -> list[Item]:
        """VMs read with their disks embedded: the disks first (they may be newer than the disk list)."""
        disks = [records.disk(a.disk) for v in vms for a in v.disk_attachments or []
                 if a.disk is not None and a.disk.provisioned_size is not None]
        return self.tree.put_disks(disks) + self.tree.put_vms([records.vm(v, self.numa_nodes(v)) for v in vms])

    def numa_nodes(self, v) -> list:
        """oVirt allows NUMA pinning only on VMs pinned to hosts: only those cost another request."""
        if not (v.placement_policy and v.placement_policy.hosts):
            return []
        return self.call(lambda s: s.vms_service().vm_service(v.id).numa_nodes_service().list())

    # --- following changes ------------------------------------------------------------------

    def follow(self, sink, stop: threading.Event) -> None:
        try:
            while not stop.wait(POLL_SECONDS):
                try:
                    self.poll(sink)
                except Reload as exc:
                    log.info("oVirt %s: %s; loading everything again", self.url, exc)
                    sink.replace(self.load())
        finally:
            self.close()

    def poll(self, sink) -> None:
        events = self.call(lambda s: s.events_service().list(from_=self.last_event, max=EVENT_PAGE))
        if len(events) >= EVENT_PAGE:
            raise Reload(f"more than {EVENT_PAGE} events since the last look")
        if events:
            self.last_event = max(self.last_event, *(int(e.id) for e in events))
            self.apply(sink, events)
        elif time.monotonic() - self.restart_checked > RESTART_CHECK_SECONDS:
            self.restart_checked = time.monotonic()
            if self.newest_event_id() < self.last_event:
                raise Reload("the engine's event ids went backwards (the engine started over)")
        if self.disks_stale and time.monotonic() - self.disks_listed > DISK_RELIST_SECONDS:
            sink.upsert(self.relist_disks())
        if time.monotonic() - self.small_refreshed > SMALL_REFRESH_SECONDS:
            sink.upsert(self.refresh_small())
        for kind, uids in self.tree.drain_removed().items():
            sink.remove(kind, uids)

    def apply(self, sink, events) -> None:
        codes = {e.code for e in events}
        vm_ids = {e.vm.id for e in events if e.vm is not None and e.vm.id}
        changed: list[Item] = []
        if codes & (CLUSTER_EVENTS | HOST_EVENTS | DATACENTER_EVENTS | PROFILE_EVENTS):
            changed += self.refresh_small()
        self.disks_stale |= bool(codes & DISK_EVENTS)
        if vm_ids:
            found = self.read_vms(sorted(vm_ids))
            changed += self.put_vms(found)
            gone = vm_ids - {v.id for v in found}
            if gone:
                sink.remove("vm", self.tree.remove_vms(sorted(gone)))
                self.disks_stale = True  # their disks may have gone with them
        if changed:
            sink.upsert(changed)

    def read_vms(self, ids: list[str]) -> list:
        """These VMs as the engine has them now (the ones it no longer has are missing)."""
        found = []
        for start in range(0, len(ids), VM_BATCH):
            query = " or ".join(f"id={vm_id}" for vm_id in ids[start:start + VM_BATCH])
            found += self.call(lambda s, q=query: s.vms_service().list(search=q, follow=records.VM_FOLLOW))
        return found

    def newest_event_id(self, timeout: int = TIMEOUT) -> int:
        newest = self.call(lambda s: s.events_service().list(max=1), timeout)
        return int(newest[0].id) if newest else 0

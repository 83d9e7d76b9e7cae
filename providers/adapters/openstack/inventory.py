"""Loading one OpenStack project's inventory and following its changes by polling.

OpenStack has no change feed. Every `interval` seconds the collector asks Nova only for the
servers changed since the newest `updated` it has seen (`changes-since`, which also returns
deleted servers), re-reads the collections that are cheap to list (volumes, ports, networks,
subnets, flavors, volume types), rebuilds the records and hands the sink only those that differ
from what it reported last. Every `reconcile_every` polls it re-reads everything, servers and
images included, which catches what `changes-since` cannot show (e.g. purged servers).
"""

from __future__ import annotations

import threading
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor

from providers.adapters.base import ChangeSink, Collector, Item
from providers.adapters.openstack.client import OpenStackClient
from providers.adapters.openstack.records import RecordBuilder
from providers.adapters.openstack.snapshot import Snapshot

GONE = {"DELETED", "SOFT_DELETED"}
WORKERS = 4


def by_id(items) -> dict:
    return {i["id"]: i for i in items}


def signature(item: Item) -> tuple:
    return (item.name, item.path, item.parent_kind, item.parent_uid, item.power_state, item.host_uid,
            item.cluster_uid, item.folder_uid, item.data)


class OpenStackCollector(Collector):
    interval = 10.0  # seconds between polls (Forklift's refresh interval)
    reconcile_every = 30  # polls between full re-reads

    def __init__(self, client: OpenStackClient, interval: float | None = None):
        self.client = client
        if interval is not None:
            self.interval = interval
        self.snap = Snapshot()
        self.builder = RecordBuilder()
        self.watermark = ""  # newest server `updated` seen, in Nova's own clock
        self.reported: dict[tuple[str, str], Item] = {}
        self.absent_images: set[str] = set()  # referenced, but 404 since the last full read

    # --- Collector ----------------------------------------------------------------------

    def load(self) -> list[Item]:
        self.read_everything()
        items = self.builder.build(self.snap)
        self.reported = {(i.kind, i.uid): i for i in items}
        return items

    def follow(self, sink: ChangeSink, stop: threading.Event) -> None:
        polls = 0
        while not stop.wait(self.interval):
            polls += 1
            if polls % self.reconcile_every == 0:
                self.read_everything()
            else:
                self.read_changes()
            self.report_changes(sink)

    def report_changes(self, sink: ChangeSink) -> None:
        current, changed = {}, []
        for item in self.builder.build(self.snap):
            key = (item.kind, item.uid)
            current[key] = item
            before = self.reported.get(key)
            if before is not item and (before is None or signature(before) != signature(item)):
                changed.append(item)
        gone = defaultdict(list)
        for kind, uid in self.reported.keys() - current.keys():
            gone[kind].append(uid)
        if changed:
            sink.upsert(changed)
        for kind, uids in gone.items():
            sink.remove(kind, uids)
        self.reported = current

    # --- reading ------------------------------------------------------------------------

    def read_everything(self) -> None:
        servers, rest = self.read_parallel(full=True)
        self.snap.servers = by_id(servers)
        self.snap.images = by_id(rest.pop("images"))
        self.absent_images.clear()
        self.apply(rest)
        self.watermark = max((s.get("updated") or "" for s in servers), default="")

    def read_changes(self) -> None:
        changed, rest = self.read_parallel(full=False)
        for server in changed:
            if server.get("status") in GONE:
                self.snap.servers.pop(server["id"], None)
            else:
                self.snap.servers[server["id"]] = server
            self.watermark = max(self.watermark, server.get("updated") or "")
        self.apply(rest)
        self.read_missing_images()

    def read_parallel(self, full: bool) -> tuple[list, dict]:
        """Changed servers (all when `full`) and every cheap collection, read concurrently."""
        client = self.client
        client.microversion("compute")  # sign in and negotiate once, before the threads share the session
        since = {} if full or not self.watermark else {"changes-since": self.watermark}

        def listing(service, path, key, params=None):
            return lambda: list(client.paged(service, path, key, f"list {key.replace('_', ' ')}", params))

        jobs = {
            "servers": listing("compute", "/servers/detail", "servers", since),
            "volumes": listing("block_storage", "/volumes/detail", "volumes"),
            "ports": listing("network", "/ports", "ports", {"project_id": client.access.project_id}),
            "networks": listing("network", "/networks", "networks"),
            "subnets": listing("network", "/subnets", "subnets"),
            "flavors": listing("compute", "/flavors/detail", "flavors"),
            "volume_types": lambda: client.get_json("block_storage", "/types", "list volume types")[
                "volume_types"],
        }
        if full:
            jobs["images"] = listing("image", "/images", "images")
        with ThreadPoolExecutor(WORKERS) as pool:
            futures = {name: pool.submit(job) for name, job in jobs.items()}
            results = {name: future.result() for name, future in futures.items()}
        return results.pop("servers"), results

    def apply(self, rest: dict) -> None:
        snap, client = self.snap, self.client
        snap.region, snap.project = client.region, client.project
        snap.volumes = by_id(rest["volumes"])
        snap.ports = by_id(p for p in rest["ports"] if (p.get("device_owner") or "").startswith("compute:"))
        snap.networks = self.relevant_networks(rest["networks"], snap.ports.values(), snap.project["id"])
        snap.subnets = by_id(s for s in rest["subnets"] if s.get("network_id") in snap.networks)
        snap.flavors = self.with_extra_specs(rest["flavors"])
        snap.volume_types = by_id(rest["volume_types"])

    @staticmethod
    def relevant_networks(networks: list, ports, project_id: str) -> dict:
        """The project's networks, shared and external ones, and any a server's port is on (an admin
        token lists every project's networks)."""
        used = {p.get("network_id") for p in ports}
        return by_id(n for n in networks if n.get("project_id") == project_id or n.get("shared")
                     or n.get("router:external") or n["id"] in used)

    def with_extra_specs(self, flavors: list) -> dict:
        """Nova embeds extra specs from microversion 2.61; older ones need a call per flavor (cached)."""
        result = by_id(flavors)
        for flavor in result.values():
            if "extra_specs" in flavor:
                continue
            known = self.snap.flavors.get(flavor["id"], {})
            if "extra_specs" in known:
                flavor["extra_specs"] = known["extra_specs"]
            else:
                path = f"/flavors/{flavor['id']}/os-extra_specs"
                specs = self.client.get_json("compute", path, "read flavor extra specs")
                flavor["extra_specs"] = specs["extra_specs"]
        return result

    def read_missing_images(self) -> None:
        """Images that a server or volume refers to but that were created after the last full read."""
        wanted = {s["image"].get("id") for s in self.snap.servers.values() if isinstance(s.get("image"), dict)}
        wanted |= {(v.get("volume_image_metadata") or {}).get("image_id") for v in self.snap.volumes.values()}
        for image_id in wanted - set(self.snap.images) - self.absent_images - {None, ""}:
            found = self.client.get_optional("image", f"/images/{image_id}", f"read image {image_id}")
            if found:
                self.snap.images[image_id] = found
            else:
                self.absent_images.add(image_id)

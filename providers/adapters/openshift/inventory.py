"""The inventory of a KubeVirt cluster: list everything once, then follow watches.

Served (stored) kinds: namespaces (as folders), storage classes (with their StorageProfile),
NetworkAttachmentDefinitions (as networks) and VirtualMachines. PVCs, DataVolumes and VMIs
are kept in memory only and folded into the VM records; a change to one of them rebuilds
exactly the VMs that refer to it (VMBuilder records the references).

A token limited to some namespaces works too: whatever the cluster scope refuses is read in
the service account's own namespace, and the provider's status message says what is missing.
"""

from __future__ import annotations

import json
import queue
import threading
from collections import defaultdict
from collections.abc import Callable, Iterable

from kubernetes import client
from kubernetes.client.exceptions import ApiException

from providers.adapters.base import Collector, Item, ProviderError
from providers.adapters.openshift import kinds
from providers.adapters.openshift.client import (
    TIMEOUT,
    api_error,
    api_errors,
    connection_reason,
    describe,
    service_account_namespace,
    whoami,
)
from providers.adapters.openshift.kinds import Kind, list_all, lister
from providers.adapters.openshift.objects import (
    claim_summary,
    data_volume_summary,
    instance_summary,
    instancetype_summary,
    key,
    nad_item,
    namespace_item,
    quantity,
    storage_class_item,
)
from providers.adapters.openshift.vm import Lookup, VMBuilder
from providers.adapters.openshift.watching import Change, Watcher
from providers.kube import open_api

SUMMARIES = {"claims": claim_summary, "data_volumes": data_volume_summary, "instances": instance_summary,
             "instancetypes": instancetype_summary, "cluster_instancetypes": instancetype_summary}
SERVED = {"namespaces": "folder", "storage_classes": "storage", "nads": "network", "vms": "vm"}
BATCH = 5000


class OpenShiftCollector(Collector):
    def __init__(self, url: str, credentials: dict, announce: Callable[[str], None] | None = None):
        self.url = url
        self.credentials = credentials
        self.announce = announce or (lambda text: None)
        self.api: client.ApiClient | None = None
        # kind name → {(namespace, name): object, or its summary for SUMMARIES kinds}
        self.known: dict[str, dict] = {k.name: {} for k in kinds.ALL}
        self.lookup = Lookup(**{name: self.known[name] for name in SUMMARIES})
        self.depends: dict[tuple, set] = defaultdict(set)  # ("claims", ns, name) → VM keys
        self.vm_depends: dict[tuple, set] = {}
        self.scopes: dict[str, dict[str | None, str]] = {}  # kind name → {namespace or None: resourceVersion}
        self.dirty: set[tuple[str, tuple]] = set()
        self.removed: dict[str, set[str]] = defaultdict(set)
        self.denied: list[str] = []
        self.own_namespaces: list[str] | None = None
        self.notice = ""

    # --- reading -------------------------------------------------------------------------

    def load(self) -> Iterable[Item]:
        self.api = open_api(self.url, self.credentials)
        for kind in kinds.ALL:
            for obj in self.read(kind):
                self.put(kind, obj)
        self.notice = self.limited_view_notice()
        self.dirty = {(name, k) for name in SERVED for k in self.known[name]}
        items, _ = self.flush()
        return items

    def read(self, kind: Kind) -> list[dict]:
        """Everything of kind the token may see: the cluster, else its own namespace."""
        self.scopes[kind.name] = {}
        with api_errors(self.url, f"list {kind.resource}"):
            try:
                objects, version = list_all(lister(self.api, kind))
                self.scopes[kind.name][None] = version
                return objects
            except ApiException as exc:
                if exc.status == 404 and kind.optional:
                    return []  # the add-on is not installed
                if exc.status != 403:
                    raise
            self.denied.append(kind.resource)
            if kind is kinds.NAMESPACES:
                return [self.read_namespace(ns) for ns in self.namespaces_in_reach()]
            if not kind.namespaced:
                return []
            objects = []
            for ns in self.namespaces_in_reach():
                try:
                    found, version = list_all(lister(self.api, kind, ns))
                except ApiException as exc:
                    if exc.status in (403, 404):
                        continue
                    raise
                self.scopes[kind.name][ns] = version
                objects += found
            return objects

    def namespaces_in_reach(self) -> list[str]:
        if self.own_namespaces is None:
            own = service_account_namespace(whoami(self.api, self.url))
            self.own_namespaces = [own] if own else []
        return self.own_namespaces

    def read_namespace(self, name: str) -> dict:
        try:
            response = client.CoreV1Api(self.api).read_namespace(name, _preload_content=False, _request_timeout=TIMEOUT)
            return json.loads(response.data)
        except ApiException:
            # Not even readable by name: keep the namespace so its VMs have a folder.
            return {"metadata": {"name": name, "uid": f"namespace-{name}"}}

    def limited_view_notice(self) -> str:
        if not self.denied:
            return ""
        reach = ", ".join(self.namespaces_in_reach()) or "none"
        return (
            f"Limited view: the token may not list {', '.join(self.denied)} at the cluster scope, so the inventory "
            f"shows only what it may read in namespace(s) {reach}"
            + (" and no storage classes" if kinds.STORAGE_CLASSES.resource in self.denied else "")
            + ". For the whole cluster, use a service account with the cluster-admin role (guide §4.4.1.5)."
        )

    # --- state ---------------------------------------------------------------------------

    def put(self, kind: Kind, obj: dict) -> None:
        k = key(obj)
        if kind is kinds.CAPACITIES:
            self.touch_class_of(self.known[kind.name].get(k))  # a capacity may move to another class
            self.touch_class_of(obj)
        summarize = SUMMARIES.get(kind.name)
        self.known[kind.name][k] = summarize(obj) if summarize else obj
        uid = obj.get("metadata", {}).get("uid", "")
        if kind is kinds.NAMESPACES:
            self.lookup.namespaces[k[1]] = uid
        elif kind is kinds.STORAGE_CLASSES:
            self.lookup.storage_classes[k[1]] = uid
        elif kind is kinds.NADS:
            self.lookup.nads[k] = uid
        self.touch(kind, k)

    def drop(self, kind: Kind, k: tuple) -> None:
        value = self.known[kind.name].pop(k, None)
        if value is None:
            return
        if kind is kinds.CAPACITIES:
            self.touch_class_of(value)
        if kind.name in SERVED:
            self.removed[SERVED[kind.name]].add(value.get("metadata", {}).get("uid", ""))
            self.dirty.discard((kind.name, k))
        if kind is kinds.NAMESPACES:
            self.lookup.namespaces.pop(k[1], None)
        elif kind is kinds.STORAGE_CLASSES:
            self.lookup.storage_classes.pop(k[1], None)
        elif kind is kinds.NADS:
            self.lookup.nads.pop(k, None)
        elif kind is kinds.VMS:
            for dependency in self.vm_depends.pop(k, ()):
                self.depends[dependency].discard(k)
        self.touch(kind, k)

    def touch_class_of(self, capacity: dict | None) -> None:
        name = (capacity or {}).get("storageClassName")
        if name and ("", name) in self.known["storage_classes"]:
            self.dirty.add(("storage_classes", ("", name)))

    def available_capacity(self, class_name: str) -> int | None:
        sizes = [quantity(c.get("capacity")) for c in self.known["capacities"].values()
                 if c.get("storageClassName") == class_name]
        return sum(s or 0 for s in sizes) if sizes else None

    def touch(self, kind: Kind, k: tuple) -> None:
        """Mark what must be rebuilt after kind/k changed."""
        if kind.name in SERVED and k in self.known[kind.name]:
            self.dirty.add((kind.name, k))
        if kind is kinds.STORAGE_PROFILES and k in self.known["storage_classes"]:
            self.dirty.add(("storage_classes", k))
        if kind is kinds.NAMESPACES:
            self.dirty |= {("nads", n) for n in self.known["nads"] if n[0] == k[1]}
        self.dirty |= {("vms", vm) for vm in self.depends.get((kind.name, *k), ())}

    def build(self, kind_name: str, k: tuple) -> Item:
        obj = self.known[kind_name][k]
        if kind_name == "namespaces":
            return namespace_item(obj)
        if kind_name == "storage_classes":
            return storage_class_item(obj, self.known["storage_profiles"].get(k), self.available_capacity(k[1]))
        if kind_name == "nads":
            return nad_item(obj, self.lookup.namespaces.get(k[0], ""))
        builder = VMBuilder(obj, self.lookup)
        item = builder.item()
        for dependency in self.vm_depends.get(k, set()) - builder.depends:
            self.depends[dependency].discard(k)
        for dependency in builder.depends:
            self.depends[dependency].add(k)
        self.vm_depends[k] = builder.depends
        return item

    def flush(self) -> tuple[list[Item], dict[str, set[str]]]:
        items = [self.build(name, k) for name, k in self.dirty if k in self.known[name]]
        removed = {kind: uids for kind, uids in self.removed.items() if uids}
        self.dirty, self.removed = set(), defaultdict(set)
        return items, removed

    def apply(self, change: Change) -> None:
        kind = change.kind
        if change.type == "FAILED":
            raise self.lost(kind, change.error)
        if change.type == "DELETED":
            self.drop(kind, key(change.obj))
        elif change.type == "RESYNC":
            fresh = {key(o): o for o in change.objects}
            for k in [k for k in self.known[kind.name] if change.namespace in (None, k[0]) and k not in fresh]:
                self.drop(kind, k)
            for obj in fresh.values():
                self.put(kind, obj)
        else:
            self.put(kind, change.obj)

    def lost(self, kind: Kind, error: BaseException | None) -> ProviderError:
        if isinstance(error, ApiException):
            return api_error(self.url, f"watch {kind.resource}", error)
        return ProviderError(
            f"Lost the connection to {describe(self.url)} while watching {kind.resource}: "
            f"{connection_reason(error) if error else 'unknown error'}. Reconnecting."
        )

    # --- following -----------------------------------------------------------------------

    def follow(self, sink, stop: threading.Event) -> None:
        if self.api is None:
            sink.replace(self.load())
        if self.notice:
            self.announce(self.notice)
        changes: queue.Queue[Change] = queue.Queue()
        halt = threading.Event()
        watchers = [
            Watcher(kind, lister(self.api, kind, ns), version, ns, changes, halt)
            for kind in kinds.ALL
            for ns, version in self.scopes.get(kind.name, {}).items()
        ]
        for watcher in watchers:
            watcher.start()
        try:
            while not stop.is_set():
                try:
                    batch = [changes.get(timeout=0.5)]
                except queue.Empty:
                    continue
                while len(batch) < BATCH and not changes.empty():
                    batch.append(changes.get_nowait())
                for change in batch:
                    self.apply(change)
                items, removed = self.flush()
                if items:
                    sink.upsert(items)
                for kind, uids in removed.items():
                    sink.remove(kind, uids)
        finally:
            halt.set()
            for watcher in watchers:
                watcher.halt()
            self.api.close()

"""vSphere inventory: one PropertyCollector filter over a ContainerView serves both the full
load (the first WaitForUpdatesEx pages) and every change after it (the later ones), so the
walk happens once and changes arrive as soon as vCenter has them."""

from __future__ import annotations

import http.client
import logging
import socket
import ssl
import threading

from pyVmomi import vim, vmodl

from providers.adapters.base import Collector, ProviderError
from providers.adapters.vsphere.client import COLLECT_TIMEOUT, connect
from providers.adapters.vsphere.properties import PATHS, plain
from providers.adapters.vsphere.records import KIND, Tree, item

log = logging.getLogger(__name__)
FOLLOW_WAIT_SECONDS = 2
CONTAINER_KINDS = {"Folder", "Datacenter", "ClusterComputeResource", "ComputeResource"}
LOST = (OSError, ssl.SSLError, http.client.HTTPException, socket.timeout, vim.fault.NotAuthenticated)


def filter_spec(view) -> vmodl.query.PropertyCollector.FilterSpec:
    traversal = vmodl.query.PropertyCollector.TraversalSpec(name="view", type=vim.view.ContainerView, path="view")
    return vmodl.query.PropertyCollector.FilterSpec(
        objectSet=[vmodl.query.PropertyCollector.ObjectSpec(obj=view, skip=True, selectSet=[traversal])],
        propSet=[vmodl.query.PropertyCollector.PropertySpec(type=t, pathSet=paths) for t, paths in PATHS.items()],
    )


class VSphereCollector(Collector):
    def __init__(self, url: str, credentials: dict):
        self.url = url
        self.credentials = credentials
        self.tree = Tree()
        self.version = ""
        self.collector = None

    def open(self) -> None:
        si = connect(self.url, self.credentials, timeout=COLLECT_TIMEOUT)
        content = si.RetrieveContent()
        view = content.viewManager.CreateContainerView(content.rootFolder, list(PATHS), True)
        self.collector = content.propertyCollector.CreatePropertyCollector()
        self.collector.CreateFilter(filter_spec(view), partialUpdates=False)

    def wait(self, max_wait: int) -> tuple[set[str], dict[str, str], bool]:
        """One WaitForUpdatesEx: (changed moids, removed moid → kind, more pages pending)."""
        options = vmodl.query.PropertyCollector.WaitOptions(maxWaitSeconds=max_wait)
        try:
            update = self.collector.WaitForUpdatesEx(self.version, options)
        except LOST as exc:
            raise ProviderError(f"Lost the connection to vCenter at {self.url}: {exc}. Reconnecting.") from None
        if update is None:
            return set(), {}, False
        self.version = update.version
        changed, removed = set(), {}
        for filter_update in update.filterSet:
            for object_update in filter_update.objectSet:
                moid = object_update.obj._moId
                type_name = type(object_update.obj).__name__.rsplit(".", 1)[-1]
                if object_update.kind == "leave":
                    self.tree.remove(moid)
                    removed[moid] = KIND.get(type_name, "")
                    changed.discard(moid)
                    continue
                if object_update.kind == "modify" and moid not in self.tree.objects:
                    continue  # a late change to an object that has already left
                props = dict(self.tree.objects.get(moid, (type_name, {}))[1])
                for change in object_update.changeSet:
                    if change.op in ("remove", "indirectRemove"):
                        props.pop(change.name, None)
                    else:
                        props[change.name] = plain(change.name, change.val)
                self.tree.put(moid, type_name, props)
                changed.add(moid)
        return changed, removed, bool(update.truncated)

    def items(self, moids):
        for moid in moids:
            if moid in self.tree.objects and (built := item(self.tree, moid)) is not None:
                yield built

    def load(self):
        self.open()
        seen = set()
        while True:
            changed, _, more = self.wait(0)
            seen |= changed
            # Hand each page over at once so the counts grow while the walk goes on.
            yield from self.items(changed)
            if not more:
                break
        # Records that referred to objects arriving in later pages (distributed portgroups,
        # parent folders) are built again now that everything is known; unchanged ones are
        # ignored by the store.
        yield from self.items(m for m in seen if self.tree.objects[m][0] == "VirtualMachine")

    def follow(self, sink, stop: threading.Event) -> None:
        while not stop.is_set():
            changed, removed, _ = self.wait(FOLLOW_WAIT_SECONDS)
            if any(self.tree.objects[m][0] in CONTAINER_KINDS for m in changed):
                changed = set(self.tree.objects)  # a renamed or moved container changes paths below it
            if changed:
                sink.upsert(self.items(changed))
            by_kind: dict[str, list[str]] = {}
            for moid, kind in removed.items():
                if kind:
                    by_kind.setdefault(kind, []).append(moid)
            for kind, moids in by_kind.items():
                sink.remove(kind, moids)

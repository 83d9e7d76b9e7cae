"""vSphere inventory.

The full load is one PropertyCollector walk (RetrievePropertiesEx over a ContainerView) of
exactly the properties we use. Changes come from a second, light filter (WaitForUpdatesEx)
that watches a few telling properties of each VM (name, power, host, config.changeVersion,
snapshot…) and everything of the few other objects; a VM that changed has its properties
read again, alone. The change filter is created before the walk, so nothing that happens
during the walk is missed.
"""

from __future__ import annotations

import http.client
import logging
import socket
import ssl
import threading

from pyVim.connect import Disconnect
from pyVmomi import vim, vmodl

from providers.adapters.base import Collector, ProviderError
from providers.adapters.vsphere.client import COLLECT_TIMEOUT, connect
from providers.adapters.vsphere.properties import PATHS, TRIGGERS, plain
from providers.adapters.vsphere.records import KIND, Tree, item

log = logging.getLogger(__name__)
FOLLOW_WAIT_SECONDS = 2
CONTAINER_KINDS = {"Folder", "Datacenter", "ClusterComputeResource", "ComputeResource"}
LOST = (OSError, ssl.SSLError, http.client.HTTPException, socket.timeout, vim.fault.NotAuthenticated)
PC = vmodl.query.PropertyCollector


def property_specs(paths: dict) -> list:
    return [PC.PropertySpec(type=t, pathSet=p) for t, p in paths.items()]


def filter_spec(view, paths: dict = PATHS) -> PC.FilterSpec:
    traversal = PC.TraversalSpec(name="view", type=vim.view.ContainerView, path="view")
    return PC.FilterSpec(objectSet=[PC.ObjectSpec(obj=view, skip=True, selectSet=[traversal])],
                         propSet=property_specs(paths))


class ThreadWithResult(threading.Thread):
    """Runs fn in the background; result() waits for it and re-raises what it raised."""

    def __init__(self, fn):
        super().__init__(daemon=True)
        self.fn, self.error = fn, None
        self.start()

    def run(self):
        try:
            self.fn()
        except BaseException as exc:  # noqa: BLE001 - re-raised in result()
            self.error = exc

    def result(self):
        self.join()
        if self.error is not None:
            raise self.error


def type_name(obj) -> str:
    return type(obj).__name__.rsplit(".", 1)[-1]


class VSphereCollector(Collector):
    def __init__(self, url: str, credentials: dict):
        self.url = url
        self.credentials = credentials
        self.tree = Tree()
        self.version = ""
        self.collector = None
        self.walker = None
        self.view = None

    def lost(self, exc) -> ProviderError:
        return ProviderError(f"Lost the connection to vCenter at {self.url}: {exc}. Reconnecting.")

    def close(self) -> None:
        """Log out, dropping the view and the change filter: vCenter keeps re-collecting for every
        filter a session leaves behind until the session expires."""
        si, self.si = getattr(self, "si", None), None
        for drop in (lambda: self.collector.DestroyPropertyCollector(), lambda: self.view.DestroyView(),
                     lambda: Disconnect(si)):
            try:
                if si is not None:
                    drop()
            except Exception:  # noqa: BLE001 - a session already gone is closed enough
                pass

    def open(self) -> None:
        self.si = si = connect(self.url, self.credentials, timeout=COLLECT_TIMEOUT)
        content = si.RetrieveContent()
        self.tree.root = content.rootFolder._moId
        self.view = content.viewManager.CreateContainerView(content.rootFolder, list(PATHS), True)
        self.walker = content.propertyCollector
        self.collector = self.walker.CreatePropertyCollector()
        self.collector.CreateFilter(filter_spec(self.view, TRIGGERS), partialUpdates=False)

    def skip_first_answer(self) -> None:
        """The change filter's first answer is the state the walk reads anyway: consume it."""
        while self.wait(0, refetch=False)[2]:
            pass

    def put(self, obj, props) -> str:
        moid = obj._moId
        self.tree.put(moid, type_name(obj), {p.name: plain(p.name, p.val) for p in props})
        return moid

    def walk(self, specs: list):
        """RetrievePropertiesEx, page by page; yields the moids each page stored in the tree."""
        try:
            result = self.walker.RetrievePropertiesEx(specs, PC.RetrieveOptions(maxObjects=1000))
            while result is not None:
                yield {self.put(o.obj, o.propSet) for o in result.objects}
                result = self.walker.ContinueRetrievePropertiesEx(result.token) if result.token else None
        except LOST as exc:
            raise self.lost(exc) from None

    def refetch(self, objects: list) -> set[str]:
        """Read the full properties of these objects again."""
        if not objects:
            return set()
        spec = PC.FilterSpec(objectSet=[PC.ObjectSpec(obj=o) for o in objects], propSet=property_specs(PATHS))
        return set().union(*self.walk([spec]))

    def wait(self, max_wait: int, refetch: bool = True) -> tuple[set[str], dict[str, str], bool]:
        """One WaitForUpdatesEx on the change filter: (changed moids, removed moid → kind, more pending)."""
        options = PC.WaitOptions(maxWaitSeconds=max_wait)
        try:
            update = self.collector.WaitForUpdatesEx(self.version, options)
        except LOST as exc:
            raise self.lost(exc) from None
        if update is None:
            return set(), {}, False
        self.version = update.version
        changed, removed, stale_vms = set(), {}, []
        for filter_update in update.filterSet:
            for object_update in filter_update.objectSet:
                obj, moid = object_update.obj, object_update.obj._moId
                if object_update.kind == "leave":
                    self.tree.remove(moid)
                    removed[moid] = KIND.get(type_name(obj), "")
                    changed.discard(moid)
                elif isinstance(obj, vim.VirtualMachine):
                    stale_vms.append(obj)
                elif object_update.kind == "enter" or moid in self.tree.objects:
                    props = dict(self.tree.objects.get(moid, (None, {}))[1])
                    for change in object_update.changeSet:
                        if change.op in ("remove", "indirectRemove"):
                            props.pop(change.name, None)
                        else:
                            props[change.name] = plain(change.name, change.val)
                    self.tree.put(moid, type_name(obj), props)
                    changed.add(moid)
        if stale_vms and refetch:
            changed |= self.refetch([vm for vm in stale_vms if vm._moId not in removed])
        return changed, removed, bool(update.truncated)

    def items(self, moids):
        for moid in moids:
            if moid in self.tree.objects and (built := item(self.tree, moid)) is not None:
                yield built

    def load(self):
        self.open()
        # Skipping the change filter's first answer overlaps with the walk (vCenter prepares one
        # while we decode the other); the filter itself exists already, so no change is missed.
        skipping = ThreadWithResult(self.skip_first_answer)
        waiting = set()
        for page in self.walk([filter_spec(self.view)]):
            # Hand over each page at once so the counts grow while the walk goes on; an object
            # that refers to one not seen yet (a parent folder, a distributed portgroup) waits
            # until everything is known, so that every record is written once.
            ready = {m for m in page | waiting if self.tree.complete(m)}
            waiting = (waiting | page) - ready
            yield from self.items(ready)
        yield from self.items(waiting)
        skipping.result()

    def follow(self, sink, stop: threading.Event) -> None:
        while not stop.is_set():
            changed, removed, _ = self.wait(FOLLOW_WAIT_SECONDS)
            if any(self.tree.objects[m][0] in CONTAINER_KINDS for m in changed if m in self.tree.objects):
                changed = set(self.tree.objects)  # a renamed or moved container changes paths below it
            if changed:
                sink.upsert(self.items(changed))
            by_kind: dict[str, list[str]] = {}
            for moid, kind in removed.items():
                if kind:
                    by_kind.setdefault(kind, []).append(moid)
            for kind, moids in by_kind.items():
                sink.remove(kind, moids)

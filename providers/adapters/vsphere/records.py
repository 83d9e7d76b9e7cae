"""Plain vSphere properties → inventory Items in Forklift's field names (guide §6.3)."""

from __future__ import annotations

from providers.adapters.base import Item

KIND = {
    "VirtualMachine": "vm",
    "HostSystem": "host",
    "ClusterComputeResource": "cluster",
    "ComputeResource": "cluster",
    "Datacenter": "datacenter",
    "Folder": "folder",
    "Network": "network",
    "DistributedVirtualPortgroup": "network",
    "OpaqueNetwork": "network",
    "Datastore": "storage",
}


class Tree:
    """The objects seen so far ({moid: (type name, props)}), for paths and cross-references."""

    def __init__(self, root: str = ""):
        self.root = root  # the root folder's moid; paths start below it
        self.objects: dict[str, tuple[str, dict]] = {}
        self.portgroups: dict[str, str] = {}  # distributed portgroup key → moid

    def put(self, moid: str, type_name: str, props: dict) -> None:
        self.objects[moid] = (type_name, props)
        if type_name == "DistributedVirtualPortgroup" and props.get("key"):
            self.portgroups[props["key"]] = moid

    def remove(self, moid: str) -> None:
        type_name, props = self.objects.pop(moid, (None, {}))
        if type_name == "DistributedVirtualPortgroup":
            self.portgroups.pop(props.get("key"), None)

    def chain(self, moid: str) -> list[tuple[str, str, dict]]:
        """The object and its ancestors (moid, type, props), nearest first; the root folder excluded."""
        result, seen = [], set()
        while moid in self.objects and moid not in seen:
            seen.add(moid)
            type_name, props = self.objects[moid]
            parent = props.get("parent")
            if parent is None:  # the root folder ("Datacenters") is not part of paths
                break
            result.append((moid, type_name, props))
            moid = parent["id"]
        return result

    def complete(self, moid: str) -> bool:
        """Are all the objects this one's record refers to known (ancestors, host, portgroups)?"""
        type_name, props = self.objects[moid]
        if not self._reaches_root(moid):
            return False
        if type_name != "VirtualMachine":
            return True
        host = (props.get("runtime.host") or {}).get("id")
        if host and (host not in self.objects or not self._reaches_root(host)):
            return False
        nics = (props.get("config.hardware.device") or {}).get("nics", [])
        return all(nic["network"] or nic["portgroupKey"] in self.portgroups for nic in nics)

    def _reaches_root(self, moid: str) -> bool:
        seen = set()
        while moid in self.objects and moid not in seen:
            seen.add(moid)
            parent = self.objects[moid][1].get("parent")
            if parent is None or parent["id"] == self.root:
                return True
            moid = parent["id"]
        return False

    def path(self, moid: str) -> str:
        return "/" + "/".join(props.get("name", "") for _, _, props in reversed(self.chain(moid)))

    def ancestor(self, moid: str, *types: str) -> str:
        for ancestor_id, type_name, _ in self.chain(moid)[1:]:
            if type_name in types:
                return ancestor_id
        return ""


def item(tree: Tree, moid: str) -> Item | None:
    type_name, props = tree.objects[moid]
    kind = KIND.get(type_name)
    if kind is None:
        return None
    builder = BUILDERS.get(kind, common)
    data = {**common(tree, moid, type_name, props), **builder(tree, moid, type_name, props)}
    parent = props.get("parent") or {}
    result = Item(kind=kind, uid=moid, name=props.get("name", moid), data=data, path=data["path"],
                  parent_kind=parent.get("kind", ""), parent_uid=parent.get("id", ""))
    if kind == "vm":
        result.power_state = data["powerState"]
        result.host_uid = data["host"]
        result.cluster_uid = tree.ancestor(data["host"], "ClusterComputeResource", "ComputeResource") if data["host"] else ""
        result.folder_uid = parent.get("id", "") if parent.get("kind") == "Folder" else ""
    return result


def common(tree: Tree, moid: str, type_name: str, props: dict) -> dict:
    return {"id": moid, "kind": type_name, "name": props.get("name", moid), "parent": props.get("parent"),
            "path": tree.path(moid)}


def vm(tree: Tree, moid: str, type_name: str, props: dict) -> dict:
    hardware = props.get("config.hardware.device") or {"disks": [], "nics": [], "devices": []}
    extra = props.get("config.extraConfig") or {}
    nics = []
    for nic in hardware["nics"]:
        network = nic["network"]
        if network is None and nic["portgroupKey"] in tree.portgroups:
            network = {"kind": "DistributedVirtualPortgroup", "id": tree.portgroups[nic["portgroupKey"]]}
        nics.append({"mac": nic["mac"], "network": network, "deviceKey": nic["deviceKey"], "model": nic["model"]})
    host = props.get("runtime.host") or {}
    numa = extra.get("numa.nodeAffinity", "")
    snapshot = props.get("snapshot")
    return {
        "uuid": props.get("config.uuid", ""),
        "isTemplate": bool(props.get("config.template")),
        "firmware": props.get("config.firmware") or "bios",
        "secureBoot": (props.get("config.bootOptions") or {}).get("efiSecureBootEnabled", False),
        "powerState": props.get("runtime.powerState", ""),
        "connectionState": props.get("runtime.connectionState", ""),
        "snapshot": {k: v for k, v in snapshot.items() if k != "count"} if snapshot else None,
        "snapshotCount": (snapshot or {}).get("count", 0),
        "changeTrackingEnabled": bool(props.get("config.changeTrackingEnabled")),
        "cpuAffinity": props.get("config.cpuAffinity") or [],
        "cpuHotAddEnabled": bool(props.get("config.cpuHotAddEnabled")),
        "cpuHotRemoveEnabled": bool(props.get("config.cpuHotRemoveEnabled")),
        "memoryHotAddEnabled": bool(props.get("config.memoryHotAddEnabled")),
        "faultToleranceEnabled": bool(props.get("config.ftInfo")),
        "cpuCount": props.get("config.hardware.numCPU", 0),
        "coresPerSocket": props.get("config.hardware.numCoresPerSocket") or 1,
        "memoryMB": props.get("config.hardware.memoryMB", 0),
        "guestId": props.get("config.guestId", ""),
        "guestName": props.get("config.guestFullName", ""),
        "balloonedMemory": props.get("summary.quickStats.balloonedMemory") or 0,
        "ipAddress": props.get("guest.ipAddress") or "",
        "guestNetworks": props.get("guest.net") or [],
        "storageUsed": props.get("summary.storage.committed") or 0,
        "numaNodeAffinity": [n for n in numa.split(",") if n],
        "devices": hardware["devices"],
        "disks": [disk_record(disk, extra, bool(props.get("config.changeTrackingEnabled")))
                  for disk in hardware["disks"]],
        "nics": nics,
        "networks": [n for n in props.get("network") or [] if n],
        "host": host.get("id", ""),
    }


def disk_record(disk: dict, extra: dict, vm_cbt: bool) -> dict:
    """A disk tracks changes when the VM does, unless its own ctkEnabled says otherwise."""
    own = str(extra.get(f"{disk['deviceName']}.ctkEnabled", "")).lower()
    return {**disk, "changeTrackingEnabled": vm_cbt and own != "false"}


def host(tree: Tree, moid: str, type_name: str, props: dict) -> dict:
    product = props.get("summary.config.product") or {}
    cpu = props.get("hardware.cpuInfo") or {}
    return {
        "cluster": tree.ancestor(moid, "ClusterComputeResource", "ComputeResource"),
        "datacenter": tree.ancestor(moid, "Datacenter"),
        "inMaintenance": bool(props.get("runtime.inMaintenanceMode")),
        "connectionState": props.get("runtime.connectionState", ""),
        "status": props.get("overallStatus", ""),
        "managementServerIp": props.get("summary.managementServerIp") or "",
        "productName": product.get("name", ""),
        "productVersion": product.get("version", ""),
        "cpuSockets": cpu.get("sockets", 0),
        "cpuCores": cpu.get("cores", 0),
        "networking": props.get("config.network") or {"pNICs": [], "vNICs": []},
    }


def cluster(tree: Tree, moid: str, type_name: str, props: dict) -> dict:
    config = props.get("configurationEx") or {}
    return {
        "datacenter": tree.ancestor(moid, "Datacenter"),
        "haEnabled": config.get("haEnabled", False),
        "drsEnabled": config.get("drsEnabled", False),
        "drsBehavior": config.get("drsBehavior", ""),
        "dpmEnabled": config.get("dpmEnabled", False),
        "vmHostRules": config.get("vmHostRules", []),
    }


def network(tree: Tree, moid: str, type_name: str, props: dict) -> dict:
    variant = {"DistributedVirtualPortgroup": "DvPortGroup", "OpaqueNetwork": "Opaque"}.get(type_name, "Standard")
    return {"variant": variant, "key": props.get("key", ""), "dvSwitch": props.get("config.distributedVirtualSwitch"),
            "datacenter": tree.ancestor(moid, "Datacenter")}


def storage(tree: Tree, moid: str, type_name: str, props: dict) -> dict:
    summary = props.get("summary") or {}
    return {"capacity": summary.get("capacity", 0), "free": summary.get("free", 0), "type": summary.get("type", ""),
            "accessible": summary.get("accessible", True), "datacenter": tree.ancestor(moid, "Datacenter")}


def folder(tree: Tree, moid: str, type_name: str, props: dict) -> dict:
    return {"childType": props.get("childType") or [], "datacenter": tree.ancestor(moid, "Datacenter")}


def datacenter(tree: Tree, moid: str, type_name: str, props: dict) -> dict:
    return {}


BUILDERS = {"vm": vm, "host": host, "cluster": cluster, "network": network, "storage": storage, "folder": folder,
            "datacenter": datacenter}

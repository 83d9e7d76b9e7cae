"""Which vSphere properties the inventory reads, and how each becomes plain data.

Only these paths are requested from the PropertyCollector: decoding is the slow part of
a vCenter walk, so nothing we do not use is fetched. Each value is turned into plain
Python (dicts, lists, strings) as soon as it arrives, so the collector keeps no pyVmomi
objects and a change to one property rebuilds a record from plain data.
"""

from __future__ import annotations

from pyVmomi import vim

VM_PATHS = [
    "name", "parent", "config.uuid", "config.template", "config.firmware", "config.changeTrackingEnabled",
    "config.hardware.numCPU", "config.hardware.numCoresPerSocket", "config.hardware.memoryMB",
    "config.hardware.device", "config.guestId", "config.guestFullName", "config.cpuHotAddEnabled",
    "config.cpuHotRemoveEnabled", "config.memoryHotAddEnabled", "config.cpuAffinity", "config.extraConfig",
    "config.ftInfo", "config.bootOptions", "runtime.powerState", "runtime.connectionState", "runtime.host",
    "summary.quickStats.balloonedMemory", "summary.storage.committed", "guest.ipAddress", "guest.net",
    "snapshot", "network",
]
PATHS = {
    vim.VirtualMachine: VM_PATHS,
    vim.HostSystem: [
        "name", "parent", "runtime.inMaintenanceMode", "runtime.connectionState", "overallStatus",
        "summary.managementServerIp", "summary.config.product", "hardware.cpuInfo", "config.network",
    ],
    vim.ClusterComputeResource: ["name", "parent", "configurationEx"],
    vim.ComputeResource: ["name", "parent"],
    vim.Datacenter: ["name", "parent"],
    vim.Folder: ["name", "parent", "childType"],
    vim.Network: ["name", "parent"],
    vim.dvs.DistributedVirtualPortgroup: ["name", "parent", "key", "config.distributedVirtualSwitch"],
    vim.Datastore: ["name", "parent", "summary"],
}

# What the change filter watches. For VMs only properties that change when anything we read
# changes (config.changeVersion moves with every reconfiguration); a change to one of them
# has the VM's PATHS fetched again. The other kinds are few and are watched whole.
VM_TRIGGERS = ["name", "parent", "runtime.powerState", "runtime.host", "config.changeVersion", "snapshot"]
TRIGGERS = {**PATHS, vim.VirtualMachine: VM_TRIGGERS}

CONTROLLER_BUS = {
    vim.vm.device.VirtualIDEController: "ide",
    vim.vm.device.VirtualSATAController: "sata",
    vim.vm.device.VirtualNVMEController: "nvme",
    vim.vm.device.VirtualSCSIController: "scsi",
}
NIC_MODELS = {
    vim.vm.device.VirtualVmxnet3: "vmxnet3",
    vim.vm.device.VirtualE1000e: "e1000e",
    vim.vm.device.VirtualE1000: "e1000",
    vim.vm.device.VirtualSriovEthernetCard: "sriov",
    vim.vm.device.VirtualPCNet32: "pcnet32",
}


def ref(obj) -> dict | None:
    """A managed object as {kind, id}, the way Forklift's inventory links objects."""
    if obj is None:
        return None
    return {"kind": type(obj).__name__.rsplit(".", 1)[-1], "id": obj._moId}


def kind_of(obj) -> str:
    return type(obj).__name__.rsplit(".", 1)[-1]


def _controller_bus(device) -> str:
    for cls, bus in CONTROLLER_BUS.items():
        if isinstance(device, cls):
            return bus
    return ""


def devices(value) -> dict:
    """config.hardware.device → disks, nics and the kinds of the other devices."""
    value = value or []
    controllers = {d.key: (_controller_bus(d), d.busNumber) for d in value
                   if isinstance(d, vim.vm.device.VirtualController)}
    disks, nics, other = [], [], []
    for device in value:
        if isinstance(device, vim.vm.device.VirtualDisk):
            disks.append(disk(device, controllers))
        elif isinstance(device, vim.vm.device.VirtualEthernetCard):
            nics.append(nic(device))
        elif not isinstance(device, vim.vm.device.VirtualController):
            other.append({"kind": kind_of(device)})
        elif isinstance(device, vim.vm.device.VirtualUSBController | vim.vm.device.VirtualUSBXHCIController):
            other.append({"kind": kind_of(device)})
    return {"disks": disks, "nics": nics, "devices": other}


def disk(device, controllers: dict) -> dict:
    backing = device.backing
    bus, bus_number = controllers.get(device.controllerKey, ("", 0))
    return {
        "key": device.key,
        "file": getattr(backing, "fileName", ""),
        "datastore": ref(getattr(backing, "datastore", None)),
        "capacity": device.capacityInBytes or (device.capacityInKB or 0) * 1024,
        "shared": getattr(backing, "sharing", "") == "sharingMultiWriter",
        "rdm": isinstance(backing, vim.vm.device.VirtualDisk.RawDiskMappingVer1BackingInfo),
        "mode": getattr(backing, "diskMode", ""),
        "bus": bus,
        "unitNumber": device.unitNumber,
        "deviceName": f"{bus}{bus_number}:{device.unitNumber}" if bus else "",
        "thinProvisioned": bool(getattr(backing, "thinProvisioned", False)),
    }


def nic(device) -> dict:
    backing = device.backing
    network = None
    portgroup_key = ""
    if isinstance(backing, vim.vm.device.VirtualEthernetCard.NetworkBackingInfo):
        network = ref(backing.network)
    elif isinstance(backing, vim.vm.device.VirtualEthernetCard.DistributedVirtualPortBackingInfo):
        portgroup_key = backing.port.portgroupKey
    elif isinstance(backing, vim.vm.device.VirtualEthernetCard.OpaqueNetworkBackingInfo):
        network = {"kind": "OpaqueNetwork", "id": backing.opaqueNetworkId}
    model = next((m for cls, m in NIC_MODELS.items() if isinstance(device, cls)), kind_of(device))
    return {
        "deviceKey": device.key,
        "mac": (device.macAddress or "").lower(),
        "network": network,
        "portgroupKey": portgroup_key,
        "model": model,
    }


def snapshot_count(trees) -> int:
    return sum(1 + snapshot_count(tree.childSnapshotList) for tree in trees or [])


def extra_config(value) -> dict:
    return {option.key: option.value for option in (value or [])
            if option.key == "numa.nodeAffinity" or option.key.endswith(".ctkEnabled")}


def guest_networks(value) -> list:
    result = []
    for net in value or []:
        for address in getattr(net.ipConfig, "ipAddress", None) or []:
            result.append({"mac": (net.macAddress or "").lower(), "ip": address.ipAddress,
                           "prefix": address.prefixLength, "device": net.deviceConfigId})
    return result


def cluster_config(value) -> dict:
    if value is None:
        return {}
    das, drs, dpm = value.dasConfig, value.drsConfig, value.dpmConfigInfo
    host_rules = []
    for rule in value.rule or []:
        if isinstance(rule, vim.cluster.VmHostRuleInfo):
            host_rules.append({"name": rule.name, "enabled": bool(rule.enabled), "vmGroup": rule.vmGroupName})
    groups = {g.name: [vm._moId for vm in getattr(g, "vm", None) or []] for g in value.group or []
              if isinstance(g, vim.cluster.VmGroup)}
    return {
        "haEnabled": bool(das and das.enabled),
        "drsEnabled": bool(drs and drs.enabled),
        "drsBehavior": str(drs.defaultVmBehavior) if drs and drs.defaultVmBehavior else "",
        "dpmEnabled": bool(dpm and dpm.enabled),
        "vmHostRules": [{**r, "vms": groups.get(r["vmGroup"], [])} for r in host_rules],
    }


def host_network(value) -> dict:
    if value is None:
        return {"pNICs": [], "vNICs": []}
    pnics = [{"key": p.key, "linkSpeed": p.linkSpeed.speedMb if p.linkSpeed else 0} for p in value.pnic or []]
    vnics = []
    for v in value.vnic or []:
        dportgroup = v.spec.distributedVirtualPort.portgroupKey if v.spec.distributedVirtualPort else ""
        vnics.append({"key": v.key, "portGroup": v.portgroup or "", "dPortGroup": dportgroup,
                      "ipAddress": v.spec.ip.ipAddress if v.spec.ip else "",
                      "subnetMask": v.spec.ip.subnetMask if v.spec.ip else "", "mtu": v.spec.mtu or 0})
    return {"pNICs": pnics, "vNICs": vnics}


def datastore_summary(value) -> dict:
    if value is None:
        return {}
    return {"capacity": value.capacity, "free": value.freeSpace, "type": value.type, "accessible": value.accessible}


def plain(path: str, value):
    """One property value as plain data."""
    if value is None:
        return None
    if path == "config.hardware.device":
        return devices(value)
    if path in ("parent", "runtime.host", "config.distributedVirtualSwitch"):
        return ref(value)
    if path == "network":
        return [ref(n) for n in value]
    if path == "snapshot":
        if not value.currentSnapshot:
            return None
        return {**ref(value.currentSnapshot), "count": snapshot_count(value.rootSnapshotList)}
    if path == "config.extraConfig":
        return extra_config(value)
    if path == "config.cpuAffinity":
        return list(value.affinitySet or [])
    if path == "config.ftInfo":
        return True
    if path == "config.bootOptions":
        return {"efiSecureBootEnabled": bool(getattr(value, "efiSecureBootEnabled", False))}
    if path == "guest.net":
        return guest_networks(value)
    if path == "configurationEx":
        return cluster_config(value)
    if path == "config.network":
        return host_network(value)
    if path == "summary" :
        return datastore_summary(value)
    if path == "summary.config.product":
        return {"name": value.name, "version": value.version}
    if path == "hardware.cpuInfo":
        return {"sockets": value.numCpuPackages, "cores": value.numCpuCores}
    if path == "childType":
        return list(value)
    if isinstance(value, str | int | float | bool):
        return value
    return str(value)

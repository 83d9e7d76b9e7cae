"""ovirtsdk4 objects → inventory records in Forklift's field names (pkg/controller/provider/web/ovirt).

VM records are built in two steps: `vm()` keeps references by id (disk, vNIC profile), and
`expand_vm()` puts the current disk and profile records in their place, so that the stored VM
carries every fact validation and migration read (disk status, storage type, profile QoS…)
and can be rebuilt when one of those changes without asking the engine again.
"""

from __future__ import annotations

from enum import Enum

# What the engine is asked to embed in each VM, so one request returns a VM with its devices. The full
# load reads all disks in a list of their own (parsing them inside each VM costs the SDK ~1 ms per VM);
# a VM read again after an event brings its disks along.
# NUMA nodes are read separately (records.vm's numa_nodes): ovirtsdk4 drops what `follow` inlines for them.
LOAD_FOLLOW = "disk_attachments,nics.reported_devices,snapshots,watchdogs,cdroms,host_devices"
VM_FOLLOW = LOAD_FOLLOW.replace("disk_attachments", "disk_attachments.disk")


def ref(obj) -> str:
    return obj.id if obj is not None and obj.id else ""


def enum(value) -> str:
    return value.value if isinstance(value, Enum) else (value or "")


def common(obj) -> dict:
    return {"id": obj.id, "name": obj.name or obj.id, "description": obj.description or ""}


def datacenter(dc) -> dict:
    return common(dc)


def cluster(c) -> dict:
    return {**common(c), "dataCenter": ref(c.data_center), "haReservation": bool(c.ha_reservation),
            "ksmEnabled": bool(c.ksm and c.ksm.enabled), "biosType": enum(c.bios_type)}


def host(h) -> dict:
    topology = h.cpu.topology if h.cpu and h.cpu.topology else None
    os = h.os
    return {
        **common(h),
        "cluster": ref(h.cluster),
        "address": h.address or "",
        "status": enum(h.status),
        "productName": (os.type if os else "") or "",
        "productVersion": (os.version.full_version if os and os.version else "") or "",
        "inMaintenance": enum(h.status) == "maintenance",
        "cpuSockets": (topology.sockets if topology else 0) or 0,
        "cpuCores": (topology.cores if topology else 0) or 0,
        "networkAttachments": [{"id": a.id, "network": ref(a.network)} for a in h.network_attachments or []],
        "nics": [{"id": n.id, "name": n.name, "linkSpeed": n.speed or 0, "mtu": n.mtu or 0,
                  "vlan": str(n.vlan.id) if n.vlan and n.vlan.id is not None else ""} for n in h.nics or []],
    }


def network(n) -> dict:
    return {**common(n), "dataCenter": ref(n.data_center),
            "vlan": str(n.vlan.id) if n.vlan and n.vlan.id is not None else "",
            "usages": [enum(u) for u in n.usages or []],
            "profiles": [p.id for p in n.vnic_profiles or []]}


def nic_profile(p) -> dict:
    return {
        **common(p),
        "network": ref(p.network),
        "networkFilter": ref(p.network_filter),
        "portMirroring": bool(p.port_mirroring),
        "qos": ref(p.qos),
        "properties": [{"name": c.name, "value": c.value or ""} for c in p.custom_properties or []],
        "passThrough": enum(p.pass_through.mode) == "enabled" if p.pass_through else False,
    }


def disk_profile(p) -> dict:
    return {**common(p), "storageDomain": ref(p.storage_domain), "qos": ref(p.qos)}


def storage_domain(sd) -> dict:
    return {
        **common(sd),
        "dataCenter": next((d.id for d in sd.data_centers or []), ""),
        "type": enum(sd.type),
        "storage": {"type": enum(sd.storage.type) if sd.storage else ""},
        "available": sd.available or 0,
        "used": sd.used or 0,
    }


def disk(d) -> dict:
    lun = d.lun_storage
    return {
        "id": d.id,
        "name": d.alias or d.name or d.id,
        "description": d.description or "",
        "shared": bool(d.shareable),
        "storageDomain": next((s.id for s in d.storage_domains or []), ""),
        "profile": ref(d.disk_profile),
        "provisionedSize": d.provisioned_size or (lun.logical_units[0].size if lun and lun.logical_units else 0),
        "actualSize": d.actual_size or 0,
        "storageType": enum(d.storage_type),
        "status": enum(d.status),
        # Not in Forklift's Disk resource, but what a transfer needs: qcow2 (cow) or raw, thin or not,
        # and whether incremental backup (warm migration) is on for the disk.
        "format": enum(d.format),
        "sparse": bool(d.sparse),
        "backup": enum(d.backup),
        "lunStorage": {"logicalUnits": {"logicalUnit": [
            {"lunId": u.id, "address": u.address or "", "port": str(u.port or ""), "target": u.target or "",
             "lunMapping": u.lun_mapping or 0, "size": u.size or 0}
            for u in (lun.logical_units if lun else None) or []]}},
    }


def vm(v, numa_nodes=()) -> dict:
    """The VM with its disks and vNIC profiles by id (see expand_vm)."""
    cpu = v.cpu
    topology = cpu.topology if cpu and cpu.topology else None
    pins = cpu.cpu_tune.vcpu_pins if cpu and cpu.cpu_tune and cpu.cpu_tune.vcpu_pins else []
    guest = v.guest_operating_system
    guest_version = guest.version.full_version if guest and guest.version else ""
    bios = v.bios
    return {
        **common(v),
        "cluster": ref(v.cluster),
        "host": ref(v.host),
        "status": enum(v.status),
        "guestName": " ".join(p for p in ((guest.distribution if guest else ""), guest_version) if p),
        "cpuSockets": (topology.sockets if topology else 1) or 1,
        "cpuCores": (topology.cores if topology else 1) or 1,
        "cpuThreads": (topology.threads if topology else 1) or 1,
        "cpuShares": v.cpu_shares or 0,
        "cpuAffinity": [{"set": p.cpu_set, "cpu": p.vcpu} for p in pins],
        "cpuPinningPolicy": enum(v.cpu_pinning_policy) or "none",
        "memory": v.memory or 0,
        "balloonedMemory": bool(v.memory_policy and v.memory_policy.ballooning),
        "ioThreads": (v.io.threads if v.io else 0) or 0,
        "bios": enum(bios.type) if bios else "",
        "bootMenuEnabled": bool(bios and bios.boot_menu and bios.boot_menu.enabled),
        "display": enum(v.display.type) if v.display else "",
        "hasIllegalImages": bool(v.has_illegal_images),
        "numaNodeAffinity": sorted({str(pin.index) for node in numa_nodes
                                    for pin in node.numa_node_pins or [] if pin.index is not None}),
        "leaseStorageDomain": ref(v.lease.storage_domain) if v.lease else "",
        "storageErrorResumeBehaviour": enum(v.storage_error_resume_behaviour),
        "haEnabled": bool(v.high_availability and v.high_availability.enabled),
        "usbEnabled": bool(v.usb and v.usb.enabled),
        "placementPolicyAffinity": enum(v.placement_policy.affinity) if v.placement_policy else "",
        "timezone": v.time_zone.name if v.time_zone and v.time_zone.name else "",
        "stateless": str(bool(v.stateless)).lower(),
        "serialNumber": (v.serial_number.value if v.serial_number else "") or "",
        "tpmEnabled": bool(v.tpm_enabled),
        "hostDevices": [{"capability": d.capability or "", "product": d.product.name if d.product else "",
                         "vendor": d.vendor.name if d.vendor else ""} for d in v.host_devices or []],
        "cdroms": [{"id": c.id, "file": ref(c.file)} for c in v.cdroms or []],
        "watchDogs": [{"id": w.id, "action": enum(w.action), "model": enum(w.model)} for w in v.watchdogs or []],
        "properties": [{"name": p.name, "value": p.value or ""} for p in v.custom_properties or []],
        "snapshots": [{"id": s.id, "description": s.description or "", "type": enum(s.snapshot_type),
                       "persistMemory": bool(s.persist_memorystate)} for s in v.snapshots or []],
        "guest": {"distribution": (guest.distribution if guest else "") or "", "fullVersion": guest_version or ""},
        "osType": (v.os.type if v.os else "") or "",
        "customCpuModel": v.custom_cpu_model or "",
        "nics": [nic(n) for n in v.nics or []],
        "diskAttachments": [{"id": a.id, "interface": enum(a.interface),
                             "scsiReservation": bool(a.uses_scsi_reservation), "bootable": bool(a.bootable),
                             "active": a.active is not False, "disk": ref(a.disk)} for a in v.disk_attachments or []],
    }


def nic(n) -> dict:
    addresses = [{"address": ip.address, "version": enum(ip.version)}
                 for device in n.reported_devices or [] for ip in device.ips or [] if ip.address]
    return {"id": n.id, "name": n.name or "", "interface": enum(n.interface), "plugged": bool(n.plugged),
            "linked": n.linked is not False, "mac": n.mac.address if n.mac else "", "ipAddress": addresses,
            "profile": ref(n.vnic_profile)}


def expand_vm(record: dict, disks: dict[str, dict], profiles: dict[str, dict]) -> dict:
    """The VM as stored: each attachment's disk and each NIC's profile as a full record."""
    return {
        **record,
        "nics": [{**n, "profile": profiles.get(n["profile"], {"id": n["profile"]}) if n["profile"] else {"id": ""}}
                 for n in record["nics"]],
        "diskAttachments": [{**a, "disk": disks.get(a["disk"], {"id": a["disk"]})} for a in record["diskAttachments"]],
    }

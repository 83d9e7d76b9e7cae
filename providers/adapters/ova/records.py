"""The scanner's document (mtvweb/pods/ova_scan.py) → inventory Items in Forklift's OVA field names.

- vm: one per appliance found, id a UUID derived from its path in the share (stable across
  rescans and restarts, unlike Forklift's in-memory ids), `path` = /<path in the share>.
  Disks carry their bytes' location (`filePath` in the share, tar `member` for an .ova),
  capacity in bytes, format and the single storage; NICs their MAC, network and model.
- network: one per network name the OVFs use (id derived from the name).
- storage: the single dummy storage every OVA disk maps from (Forklift's id "default"; the
  console calls it "Dummy storage for source provider <name>", guide §5 StorageMap note).
- other: every appliance that is not listed as a VM — broken files, and packages too deep
  in the share — with what is wrong and what to do, so the provider page can show them.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import PurePosixPath

from providers.adapters.base import Item

NAMESPACE = uuid.UUID("5d6c3f0e-8f5e-4c55-9a0e-4b1d2a9e7c11")
STORAGE_ID = "default"
STORAGE = {"kind": "Storage", "id": STORAGE_ID}
TOO_DEEP = {
    "ova-too-deep": "An .ova archive is read only in the share's root folder and its sub-folders, not deeper "
                    "(guide §2.8). Move it up a level to migrate it.",
    "ovf-too-deep": "An extracted .ovf is read only down to the second sub-folder level of the share "
                    "(guide §2.8). Move its folder up to migrate it.",
}


def stable_id(*parts: str) -> str:
    return str(uuid.uuid5(NAMESPACE, "\0".join(parts)))


def disk_record(vm_id: str, disk: dict) -> dict:
    return {
        "id": stable_id("disk", vm_id, disk["disk_id"] or disk["file"]),
        "name": disk["file"],
        "filePath": disk["path"],
        "member": disk["member"],
        "capacity": disk["capacity"],
        "capacityAllocationUnits": disk["capacity_units"],
        "diskId": disk["disk_id"],
        "fileRef": disk["file_ref"],
        "format": disk["format"],
        "ovfFormat": disk["ovf_format"],
        "populatedSize": disk["populated_size"],
        "fileSize": disk["file_size"],
        "controller": disk["controller"],
        "controllerModel": disk["controller_model"],
        "storage": STORAGE,
        "shared": False,
        "rdm": False,
    }


def vm_item(relative: str, size: int, vm: dict) -> Item:
    vm_id = stable_id("vm", relative)
    names = [n for n in dict.fromkeys([n["name"] for n in vm["networks"]] + [n["network"] for n in vm["nics"]]) if n]
    disks = [disk_record(vm_id, d) for d in vm["disks"]]
    data = {
        "id": vm_id,
        "name": vm["name"] or PurePosixPath(relative).stem,  # a descriptor without Name: its file's name
        "uuid": vm_id,
        "ovaPath": relative,
        "ovaSize": size,
        "ovfVersion": vm["ovf_version"],
        "exportedByVSphere": vm["vmware"],
        "virtualSystemType": vm["virtual_system_type"],
        "osType": vm["os_type"],
        "guestName": vm["os_description"],
        "firmware": vm["firmware"],
        "secureBoot": vm["secure_boot"],
        "cpuCount": vm["cpu"],
        "coresPerSocket": vm["cores_per_socket"],
        "cpuUnits": vm["cpu_units"],
        "memoryMB": vm["memory_mib"],
        "memoryUnits": vm["memory_units"],
        "cpuHotAddEnabled": vm["cpu_hot_add"],
        "cpuHotRemoveEnabled": vm["cpu_hot_remove"],
        "memoryHotAddEnabled": vm["memory_hot_add"],
        "faultToleranceEnabled": False,
        "changeTrackingEnabled": False,
        "balloonedMemory": 0,
        "cpuAffinity": [],
        "numaNodeAffinity": [],
        "ipAddress": "",
        "isTemplate": False,
        "storageUsed": sum(d["populatedSize"] or d["fileSize"] or 0 for d in disks),
        "devices": vm["devices"],
        "nics": [
            {"name": n["name"], "mac": n["mac"], "network": n["network"],
             "networkId": stable_id("network", n["network"]) if n["network"] else None, "model": n["model"],
             "config": []}
            for n in vm["nics"]
        ],
        "disks": disks,
        "networks": [{"kind": "Network", "id": stable_id("network", name), "name": name} for name in names],
        "nvram": {"filePath": vm["nvram"]["path"], "member": vm["nvram"]["member"]} if vm["nvram"] else None,
    }
    return Item(kind="vm", uid=vm_id, name=data["name"], data=data, path="/" + relative)


def problem_item(relative: str, entry: dict) -> Item:
    problem_id = stable_id("problem", relative)
    reason = entry.get("error") or entry.get("reason")
    detail = entry.get("detail") or TOO_DEEP.get(reason, "")
    data = {"id": problem_id, "path": relative, "status": entry["status"], "reason": reason, "detail": detail,
            "vmName": entry.get("name"), "size": entry.get("size")}
    return Item(kind="other", uid=problem_id, name=relative[:512], data=data, path="/" + relative)


def items(scan: dict, provider_name: str) -> Iterator[Item]:
    networks: dict[str, str] = {}
    for relative, entry in scan["entries"].items():
        if entry["status"] == "vm":
            vm = entry["vm"]
            for network in vm["networks"]:
                networks.setdefault(network["name"], network["description"])
            for nic in vm["nics"]:
                networks.setdefault(nic["network"], "")
            yield vm_item(relative, entry["size"], vm)
        elif entry["status"] == "error" or entry.get("reason") in TOO_DEEP:
            yield problem_item(relative, entry)
    for name, description in sorted(networks.items()):
        if not name:
            continue
        network_id = stable_id("network", name)
        yield Item(kind="network", uid=network_id, name=name,
                   data={"id": network_id, "name": name, "description": description}, path="/" + name)
    storage_name = f"Dummy storage for source provider {provider_name}".strip()
    yield Item(kind="storage", uid=STORAGE_ID, name=storage_name, data={"id": STORAGE_ID, "name": storage_name})

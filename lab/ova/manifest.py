"""The expected scan result (`expected.json`): for every file in the share, what a scanner must say.

    {"format": 1, "rules": {...},
     "entries": {"<path relative to the share>": {"status": "vm" | "error" | "ignored", "size": bytes, ...}}}

- status "vm": `vm` holds name, os_type, cpu, cores_per_socket, memory_mib, firmware,
  secure_boot, ovf_version, vmware (the descriptor uses VMware's OVF extensions), disks
  [{file, path, member, capacity, populated_size, blake3, controller, format}] and nics
  [{name, network, model, mac}] (mac null when not exported, network "" when connected to none).
  A disk's bytes are in `path` (relative to the share), inside the tar member `member`
  when path is an `.ova`; `blake3` is the digest of its raw guest content over `capacity`.
- status "error": `error` is the kind (truncated-archive, invalid-archive, invalid-ovf,
  missing-disk, disk-size-mismatch, multiple-ovf-in-folder), `detail` says why, `name`
  is the VM's name when the descriptor can be read — it must not be listed as a VM.
- status "ignored": `reason` is ova-too-deep, ovf-too-deep, not-an-appliance or file-of
  (a disk, manifest or NVRAM of the descriptor named in `of`); `name` as above.
"""

from __future__ import annotations

from pathlib import PurePosixPath

from lab.ova.catalog import OVA_MAX_DEPTH, OVF_MAX_DEPTH, Package, VMSpec
from lab.ova.disks import BuiltDisk
from lab.ova.ovf import nic_name

FORMAT = 1
RULES = {
    "depth": "number of path components relative to the share root (share/x.ova has depth 1)",
    "ova_max_depth": OVA_MAX_DEPTH,
    "ovf_max_depth": OVF_MAX_DEPTH,
    "one_ovf_per_folder": True,
}


def vm_description(vm: VMSpec, package_path: str, built: list[BuiltDisk], disk_files: list[str]) -> dict:
    folder = PurePosixPath(package_path).parent
    is_ova = package_path.endswith(".ova")
    disks = []
    for disk, b, name in zip(vm.disks, built, disk_files, strict=True):
        disks.append({
            "file": name,
            "path": package_path if is_ova else str(folder / name),
            "member": name if is_ova else None,
            "capacity": b.virtual_size,
            "populated_size": b.populated_size,
            "blake3": b.blake3,
            "controller": disk.controller,
            "format": disk.image,
        })
    nics = [{"name": nic_name(vm, n), "network": nic.network, "model": nic.model, "mac": nic.mac}
            for n, nic in enumerate(vm.nics, start=1)]
    return {
        "name": vm.name,
        "os_type": vm.os_type,
        "cpu": vm.cpus,
        "cores_per_socket": vm.cores_per_socket,
        "memory_mib": vm.memory_mib,
        "firmware": vm.firmware,
        "secure_boot": vm.secure_boot,
        "ovf_version": vm.ovf_version,
        "vmware": vm.exporter == "vsphere",
        "disks": disks,
        "nics": nics,
    }


def _error_detail(package: Package, disk_files: list[str], built: list[BuiltDisk]) -> str:
    kind = package.expect.split(":", 1)[1]
    where = "archive" if package.path.endswith(".ova") else "folder"
    return {
        "truncated-archive": "the archive ends in the middle of its first disk (copy interrupted)",
        "invalid-archive": "the file is not a tar archive",
        "invalid-ovf": "the descriptor is not XML",
        "missing-disk": f"the descriptor references {disk_files[-1] if disk_files else '?'}, "
                        f"which is not in the {where}",
        "disk-size-mismatch": (f"the descriptor gives disk 1 a capacity of {built[0].virtual_size // 2 if built else 0}"
                               f" bytes, its VMDK holds {built[0].virtual_size if built else 0} bytes"),
        "multiple-ovf-in-folder": "the folder holds more than one .ovf file",
    }[kind]


def package_entries(package: Package, built: list[BuiltDisk], written: dict[str, int], disk_files: list[str]) -> dict:
    """Entries for the files one package wrote ({relative path: size}, the package's own path first)."""
    status, _, kind = package.expect.partition(":")
    main = {"status": status, "size": written[package.path]}
    if status == "vm":
        main["vm"] = vm_description(package.vm, package.path, built, disk_files)
    elif status == "error":
        main["error"] = kind
        main["detail"] = _error_detail(package, disk_files, built)
    else:
        main["reason"] = kind
    if package.vm is not None and status != "vm" and package.breakage != "not-xml":
        main["name"] = package.vm.name
    entries = {package.path: main}
    for path, size in written.items():
        if path != package.path:
            entries[path] = {"status": "ignored", "reason": "file-of", "of": package.path, "size": size}
    return entries


def plain_file_entry(size: int | None) -> dict:
    return {"status": "ignored", "reason": "not-an-appliance", "size": size}


def new_manifest(entries: dict) -> dict:
    return {"format": FORMAT, "rules": RULES, "entries": dict(sorted(entries.items()))}

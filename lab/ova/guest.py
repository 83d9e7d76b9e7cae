"""The lab's real guest (lab/guest, BIOS variant) as a vSphere-style OVA, made once and cached beside
the guest's disks (`~/.cache/mtvweb/guest/<hash>/ova/`).

`lab up --parts ova` always puts it in the share root as mtv-guest-bios.ova. Its disk is the
guest's raw image converted to a streamOptimized VMDK, so a migrated copy boots once converted.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from lab import guest
from lab.ova.catalog import VM_NETWORK, Disk, DiskSpec, Nic, Package, VMSpec
from lab.ova.disks import BuiltDisk, blake3_of_file, sha256_of_file, to_stream_optimized
from lab.ova.manifest import package_entries
from lab.ova.package import EXPORT_TIME, disk_file_names, write_ova

SHARE_PATH = "mtv-guest-bios.ova"
NAME = "mtv-guest-bios"


def _vm(raw: Path) -> VMSpec:
    disk = DiskSpec(f"{NAME}-1", raw.stat().st_size, ())
    return VMSpec(NAME, "debian11_64Guest", "Debian GNU/Linux 11 (64-bit)", 1, 1024,
                  (Disk(disk, "pvscsi", "byte * 2^30"),), (Nic(VM_NETWORK, "VmxNet3", "00:50:56:aa:0e:01"),))


def _built(raw: Path, folder: Path) -> BuiltDisk:
    meta = folder / "disk.json"
    if meta.exists():
        return BuiltDisk(**json.loads(meta.read_text()))
    vmdk = folder / f"{NAME}-disk1.vmdk"
    tmp = vmdk.with_suffix(".tmp")
    to_stream_optimized(raw, tmp)
    os.replace(tmp, vmdk)
    built = BuiltDisk(f"{NAME}-1", str(vmdk), raw.stat().st_size, blake3_of_file(raw),
                      os.stat(raw).st_blocks * 512, vmdk.stat().st_size, sha256_of_file(vmdk))
    meta.write_text(json.dumps(built.to_json(), indent=1))
    return built


def build_guest_ova() -> tuple[Path, dict]:
    """The cached OVA and its manifest entry (as if it lay at SHARE_PATH in the share). It is kept
    beside the guest's build (one per guest content), not in the OVA cache."""
    raw = guest.disks()["bios"]
    folder = raw.parent / "ova"
    folder.mkdir(parents=True, exist_ok=True)
    vm = _vm(raw)
    built = _built(raw, folder)
    ova = folder / SHARE_PATH
    if not ova.exists():
        tmp = ova.with_suffix(".tmp")
        write_ova(tmp, vm, [built])
        os.utime(tmp, (EXPORT_TIME, EXPORT_TIME))  # a finished export, as the other packages
        tmp.rename(ova)
    entries = package_entries(Package(SHARE_PATH, vm, "vm"), [built], {SHARE_PATH: ova.stat().st_size},
                              disk_file_names(vm.name, vm))
    return ova, entries[SHARE_PATH]

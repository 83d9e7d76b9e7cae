"""One large OVA for benchmarks, made on demand and cached: 4 GiB disk, half of it allocated.

    python -m lab.ova.large            # build (about a minute per GiB of data) and print its entry

`lab up --parts ova` puts it in the share as bench/large-4g.ova when MTVWEB_LAB_OVA_LARGE=1.
Allocated extents alternate between incompressible and compressible data, 64 MiB each,
with 64 MiB holes between them.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from lab.ova.catalog import VM_NETWORK, Disk, DiskSpec, GiB, MiB, Nic, Package, VMSpec
from lab.ova.disks import build_disk, recorded_disk, spec_digest
from lab.ova.manifest import package_entries
from lab.ova.package import disk_file_names, write_ova
from lab.ova.share import OVA_CACHE

SHARE_PATH = "bench/large-4g.ova"
EXTENT = 64 * MiB
LARGE_DISK = DiskSpec(
    "large-4g-1",
    4 * GiB,
    tuple((offset, EXTENT, "random" if (offset // (2 * EXTENT)) % 2 == 0 else "text")
          for offset in range(0, 4 * GiB, 2 * EXTENT)),
)
LARGE_VM = VMSpec("large-4g", "rhel9_64Guest", "Red Hat Enterprise Linux 9 (64-bit)", 4, 8192,
                  (Disk(LARGE_DISK, "pvscsi", "byte * 2^30"),), (Nic(VM_NETWORK, "VmxNet3", "00:50:56:aa:0f:01"),))
LARGE_PACKAGE = Package(SHARE_PATH, LARGE_VM, "vm")


def build_large(cache: Path = OVA_CACHE) -> tuple[Path, dict]:
    """The cached large OVA and its manifest entry (as if it lay at SHARE_PATH in the share)."""
    folder = cache / "large"
    folder.mkdir(parents=True, exist_ok=True)
    ova = folder / f"large-4g-{spec_digest(LARGE_DISK)}.ova"
    recorded = recorded_disk(LARGE_DISK, cache / "disks")
    if ova.exists() and recorded:
        built = [recorded]
    else:
        built = [build_disk(LARGE_DISK, cache / "disks")]
        tmp = ova.with_suffix(".tmp")
        write_ova(tmp, LARGE_VM, built)
        tmp.rename(ova)
        Path(built[0].vmdk).unlink()  # packed into the OVA: keep one copy of the GiB
        for old in folder.glob("large-4g-*.ova"):
            if old != ova:
                old.unlink()
    entries = package_entries(LARGE_PACKAGE, built, {SHARE_PATH: ova.stat().st_size},
                              disk_file_names(LARGE_VM.name, LARGE_VM))
    return ova, entries[SHARE_PATH]


if __name__ == "__main__":
    path, entry = build_large()
    json.dump({"path": str(path), **entry}, sys.stdout, indent=1)
    print()

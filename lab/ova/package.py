"""Lay one catalog Package into a directory: an `.ova` tar or an extracted `.ovf` folder.

An OVA is a USTAR archive holding the descriptor first, then the `.mf` manifest
(`SHA256(<name>)= <hex>` lines), then the disks and the NVRAM — the order vSphere writes,
so a reader can stream it. Broken packages are made from good ones on purpose.
"""

from __future__ import annotations

import hashlib
import io
import shutil
import tarfile
from pathlib import Path

import blake3

from lab.ova.catalog import Package, VMSpec
from lab.ova.disks import BuiltDisk
from lab.ova.ovf import FileRef, descriptor, virtualbox_descriptor

# Every file gets this modification time: the exports are "old", as scanners that skip
# files still being copied expect (mtime less than ~30 s ago).
EXPORT_TIME = 1709283600  # 2024-03-01T09:00:00Z
NOT_XML = b"This is not an OVF descriptor: the export was interrupted.\n\x00\x01\x02"


def nvram_bytes(vm: VMSpec) -> bytes:
    return blake3.blake3(f"nvram {vm.name}".encode()).digest(length=8192)


def file_stem(package: Package) -> str:
    """Inside an OVA files are named after the VM; extracted, after the descriptor."""
    return package.vm.name if package.path.endswith(".ova") else Path(package.path).stem


def disk_file_names(stem: str, vm: VMSpec) -> list[str]:
    return [f"{stem}-disk{n}.{'img' if d.image == 'raw' else 'vmdk'}" for n, d in enumerate(vm.disks, start=1)]


def _mf_line(name: str, data_sha256: str) -> str:
    return f"SHA256({name})= {data_sha256}\n"


def _layout(stem: str, vm: VMSpec, built: list[BuiltDisk], breakage: str | None):
    """The descriptor's name and bytes, the files that follow it [(name, path or bytes)], and the .mf.

    Files are named after stem (the VM's name inside an OVA, the descriptor's name when
    extracted), as vSphere does: <stem>-disk<n>.vmdk, <stem>.nvram.
    """
    names = disk_file_names(stem, vm)
    refs = []
    for b, name in zip(built, names, strict=True):
        capacity = b.virtual_size
        if breakage == "size-mismatch" and not refs:
            capacity = b.virtual_size // 2  # the OVF claims less than the VMDK holds
        refs.append(FileRef(name, b.file_size, capacity, b.populated_size))
    files: list[tuple[str, Path | bytes]] = [(name, Path(b.vmdk)) for name, b in zip(names, built, strict=True)]
    sha = {name: b.sha256 for name, b in zip(names, built, strict=True)}
    nvram = None
    if vm.firmware == "efi":
        data = nvram_bytes(vm)
        nvram = FileRef(f"{stem}.nvram", len(data))
        files.append((nvram.href, data))
        sha[nvram.href] = hashlib.sha256(data).hexdigest()
    if breakage == "not-xml":
        ovf = NOT_XML
    elif vm.exporter == "virtualbox":
        ovf = virtualbox_descriptor(vm, refs)
    else:
        ovf = descriptor(vm, refs, nvram)
    ovf_name = f"{stem}.ovf"
    # The manifest lists every exported file, also one lost afterwards (missing-disk).
    mf = _mf_line(ovf_name, hashlib.sha256(ovf).hexdigest()) + "".join(_mf_line(n, sha[n]) for n, _ in files)
    if breakage == "missing-disk":
        files = [f for f in files if f[0] != names[-1]]  # the last disk is referenced but absent
    return ovf_name, ovf, files, mf.encode()


def _add(tar: tarfile.TarFile, name: str, src: Path | bytes) -> None:
    info = tarfile.TarInfo(name)
    info.mode, info.mtime, info.uname, info.gname = 0o644, EXPORT_TIME, "someone", "someone"
    if isinstance(src, bytes):
        info.size = len(src)
        tar.addfile(info, io.BytesIO(src))
    else:
        info.size = src.stat().st_size
        with open(src, "rb") as f:
            tar.addfile(info, f)


def _truncate_inside_first_disk(path: Path) -> None:
    with tarfile.open(path) as tar:
        disk = next(m for m in tar.getmembers() if m.name.endswith(".vmdk"))
    with open(path, "r+b") as f:
        f.truncate(disk.offset_data + disk.size // 2)


def write_ova(path: Path, vm: VMSpec, built: list[BuiltDisk], breakage: str | None = None) -> None:
    ovf_name, ovf, files, mf = _layout(vm.name, vm, built, breakage)
    with tarfile.open(path, "w", format=tarfile.USTAR_FORMAT) as tar:
        _add(tar, ovf_name, ovf)
        _add(tar, f"{vm.name}.mf", mf)
        for name, src in files:
            _add(tar, name, src)
    if breakage == "truncated":
        _truncate_inside_first_disk(path)


def write_extracted(ovf_path: Path, vm: VMSpec, built: list[BuiltDisk], breakage: str | None = None) -> list[Path]:
    """Write the descriptor at ovf_path and its files beside it; return the files other than the descriptor."""
    _, ovf, files, mf = _layout(ovf_path.stem, vm, built, breakage)
    folder = ovf_path.parent
    ovf_path.write_bytes(ovf)
    written = [ovf_path.with_suffix(".mf")]
    written[0].write_bytes(mf)
    for name, src in files:
        target = folder / name
        if isinstance(src, bytes):
            target.write_bytes(src)
        else:
            shutil.copyfile(src, target)
        written.append(target)
    return written


def write_package(root: Path, package: Package, built: list[BuiltDisk]) -> list[Path]:
    """Write package under root; return every file written (the package's own path first)."""
    path = root / package.path
    path.parent.mkdir(parents=True, exist_ok=True)
    if package.breakage == "not-a-tar":
        # A zip archive renamed to .ova: what a user gets from the wrong export button.
        path.write_bytes(b"PK\x03\x04" + blake3.blake3(b"not a tar").digest(length=4096))
        return [path]
    if package.vm is None:  # a bare descriptor that is not XML
        path.write_bytes(NOT_XML)
        return [path]
    if path.suffix == ".ova":
        write_ova(path, package.vm, built, package.breakage)
        return [path]
    return [path] + write_extracted(path, package.vm, built, package.breakage)

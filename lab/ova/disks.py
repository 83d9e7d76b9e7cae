"""Guest disks of known content, turned into streamOptimized VMDKs by qemu-img, cached.

A disk is first written as a sparse raw image (data extents; holes elsewhere), hashed
with BLAKE3 over its full virtual size (holes read as zeros), then converted with
`qemu-img convert -O vmdk -o subformat=streamOptimized` — what vSphere puts in an OVA.
The raw image is deleted afterwards: `qemu-img convert -O raw` gives it back. A disk the
catalog wants as a raw image (`Disk.image == "raw"`, validation cases only) keeps it instead.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
from dataclasses import asdict, dataclass
from pathlib import Path

import blake3

from lab.ova.catalog import DiskSpec

CHUNK = 8 << 20
BLOCK = 4096
# Bump when the bytes a DiskSpec produces change, so cached VMDKs are rebuilt.
CONTENT_VERSION = "1"


@dataclass(frozen=True)
class BuiltDisk:
    key: str
    vmdk: str  # absolute path of the cached streamOptimized VMDK (of the raw image, for image="raw")
    virtual_size: int
    blake3: str  # of the full raw guest image
    populated_size: int  # bytes in data extents that are not zeros
    file_size: int  # of the VMDK
    sha256: str  # of the VMDK, for the OVF package's .mf manifest

    def to_json(self) -> dict:
        return asdict(self)


def qemu_img_version() -> str:
    out = subprocess.run(["qemu-img", "--version"], check=True, capture_output=True, text=True).stdout
    return out.splitlines()[0]


def _text_block(key: str, block_number: int) -> bytes:
    line = f"mtvweb lab disk {key} block {block_number:08d}\n".encode()
    return (line * (BLOCK // len(line) + 1))[:BLOCK]


def _extent_bytes(key: str, offset: int, length: int, kind: str):
    """Yield the bytes of one extent in chunks; the same spec always yields the same bytes."""
    if kind == "zeros":
        for start in range(0, length, CHUNK):
            yield bytes(min(CHUNK, length - start))
    elif kind == "random":
        stream = blake3.blake3(f"{key}@{offset}".encode())
        for start in range(0, length, CHUNK):
            yield stream.digest(length=min(CHUNK, length - start), seek=start)
    elif kind == "text":
        first = offset // BLOCK
        data = b"".join(_text_block(key, first + i) for i in range(length // BLOCK + 2))
        skip = offset % BLOCK
        yield data[skip:skip + length]
    else:
        raise ValueError(f"unknown extent kind {kind!r}")


def write_raw(spec: DiskSpec, path: Path) -> int:
    """Write spec as a sparse raw image at path; return the bytes of non-zero data written."""
    populated = 0
    with open(path, "wb") as f:
        f.truncate(spec.virtual_size)
        for offset, length, kind in spec.extents:
            if offset + length > spec.virtual_size:
                raise ValueError(f"{spec.key}: extent at {offset} runs past the disk's end")
            f.seek(offset)
            for chunk in _extent_bytes(spec.key, offset, length, kind):
                f.write(chunk)
            if kind != "zeros":
                populated += length
    return populated


def blake3_of_file(path: Path) -> str:
    hasher = blake3.blake3(max_threads=blake3.blake3.AUTO)
    hasher.update_mmap(path)
    return hasher.hexdigest()


def sha256_of_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def to_stream_optimized(raw: Path, vmdk: Path, adapter_type: str = "lsilogic") -> None:
    subprocess.run(
        ["qemu-img", "convert", "-f", "raw", "-O", "vmdk",
         "-o", f"subformat=streamOptimized,adapter_type={adapter_type}", str(raw), str(vmdk)],
        check=True, capture_output=True, timeout=1800,
    )


def spec_digest(spec: DiskSpec) -> str:
    payload = json.dumps([CONTENT_VERSION, qemu_img_version(), spec.key, spec.virtual_size, spec.extents])
    return hashlib.sha256(payload.encode()).hexdigest()[:16]


def _cache_stem(spec: DiskSpec, cache_dir: Path) -> Path:
    return cache_dir / f"{spec.key}-{spec_digest(spec)}"


def recorded_disk(spec: DiskSpec, cache_dir: Path) -> BuiltDisk | None:
    """What build_disk recorded for spec, even if its VMDK was deleted since (e.g. once packed)."""
    meta_path = _cache_stem(spec, cache_dir).with_suffix(".json")
    return BuiltDisk(**json.loads(meta_path.read_text())) if meta_path.exists() else None


def build_disk(spec: DiskSpec, cache_dir: Path, image: str = "streamOptimized") -> BuiltDisk:
    """The cached VMDK for spec, made once per content and qemu-img version (or its raw image)."""
    cache_dir.mkdir(parents=True, exist_ok=True)
    stem = _cache_stem(spec, cache_dir)
    if image == "raw":
        return _build_raw(spec, stem)
    meta_path, vmdk = stem.with_suffix(".json"), stem.with_suffix(".vmdk")
    if meta_path.exists() and vmdk.exists():
        return BuiltDisk(**json.loads(meta_path.read_text()))
    raw = stem.with_suffix(".raw")
    tmp_vmdk = stem.with_suffix(".vmdk.tmp")
    try:
        populated = write_raw(spec, raw)
        digest = blake3_of_file(raw)
        to_stream_optimized(raw, tmp_vmdk)
        os.replace(tmp_vmdk, vmdk)
    finally:
        raw.unlink(missing_ok=True)
        tmp_vmdk.unlink(missing_ok=True)
    built = BuiltDisk(spec.key, str(vmdk), spec.virtual_size, digest, populated, vmdk.stat().st_size,
                      sha256_of_file(vmdk))
    meta_path.write_text(json.dumps(built.to_json(), indent=1))
    return built


def _build_raw(spec: DiskSpec, stem: Path) -> BuiltDisk:
    meta_path, image = stem.with_suffix(".img.json"), stem.with_suffix(".img")
    if meta_path.exists() and image.exists():
        return BuiltDisk(**json.loads(meta_path.read_text()))
    tmp = stem.with_suffix(".img.tmp")
    try:
        populated = write_raw(spec, tmp)
        os.replace(tmp, image)
    finally:
        tmp.unlink(missing_ok=True)
    built = BuiltDisk(spec.key, str(image), spec.virtual_size, blake3_of_file(image), populated,
                      image.stat().st_size, sha256_of_file(image))
    meta_path.write_text(json.dumps(built.to_json(), indent=1))
    return built

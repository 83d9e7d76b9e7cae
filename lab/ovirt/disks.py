"""Disk images with known content for the simulated storage domains.

A disk is described by a small spec: virtual size, format (raw or cow = qcow2), a seed and
the data extents. Data bytes are the BLAKE3 extended output of the seed at that offset, the
rest of the disk is a hole, so the full guest-visible image can be rebuilt (and hashed)
from the spec alone. Files are reused when their spec has not changed.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import blake3

MiB = 1 << 20
CLUSTER = 64 * 1024  # qcow2 cluster size: extents are aligned to it
_ZEROS = bytes(4 * MiB)


def load_hash_cache(path: Path) -> dict:
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return {}


def save_hash_cache(path: Path, hashes: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(hashes))
    tmp.replace(path)


def layout(size: int, seed: str, data_mib: float) -> list[list[int]]:
    """Data extents for a disk: a "boot" area at the start, blocks spread over the disk, a tail block."""
    budget = max(CLUSTER, int(data_mib * MiB) // CLUSTER * CLUSTER)
    head = min(budget // 2, size // 4) // CLUSTER * CLUSTER or CLUSTER
    extents = [[0, head]]
    remaining = budget - head
    rng = blake3.blake3(f"layout:{seed}".encode()).digest(length=64)
    slots = 6
    slot_size = size // slots
    for i in range(1, slots):
        if remaining <= 0:
            break
        length = min(remaining, max(CLUSTER, budget // (2 * slots)) // CLUSTER * CLUSTER)
        jitter = int.from_bytes(rng[i * 4:i * 4 + 4], "big") % max(1, slot_size // 2)
        offset = (i * slot_size + jitter) // CLUSTER * CLUSTER
        if offset + length > size - CLUSTER or offset < extents[-1][0] + extents[-1][1]:
            continue
        extents.append([offset, length])
        remaining -= length
    tail = size - CLUSTER
    if tail > extents[-1][0] + extents[-1][1]:
        extents.append([tail, CLUSTER])
    return extents


def _data(seed: str, offset: int, length: int) -> bytes:
    return blake3.blake3(seed.encode()).digest(length=length, seek=offset)


def _chunks(spec: dict):
    """The full guest-visible image, in order, as bytes-like chunks (holes as zeros)."""
    position = 0
    for offset, length in spec["extents"]:
        while position < offset:
            step = min(len(_ZEROS), offset - position)
            yield memoryview(_ZEROS)[:step]
            position += step
        done = 0
        while done < length:
            step = min(8 * MiB, length - done)
            yield _data(spec["seed"], offset + done, step)
            done += step
        position = offset + length
    while position < spec["size"]:
        step = min(len(_ZEROS), spec["size"] - position)
        yield memoryview(_ZEROS)[:step]
        position += step


def image_blake3(spec: dict) -> str:
    digest = blake3.blake3()
    for chunk in _chunks(spec):
        digest.update(chunk)
    return digest.hexdigest()


def _write_raw(spec: dict, path: Path) -> None:
    with open(path, "wb") as f:
        f.truncate(spec["size"])
        for offset, length in spec["extents"]:
            f.seek(offset)
            f.write(_data(spec["seed"], offset, length))


def materialize(spec: dict, path: Path, hashes: dict | None = None) -> dict:
    """Create the image file for spec at path (or reuse it); return {path, blake3, actual_size}.

    `hashes` caches digests by spec across state directories (hashing holes costs more than writing).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    meta_path = path.with_name(path.name + ".meta")
    wanted = {k: spec[k] for k in ("size", "format", "seed", "extents")}
    if path.exists() and meta_path.exists():
        meta = json.loads(meta_path.read_text())
        if meta.get("spec") == wanted:
            return meta["result"]
    if spec["format"] == "raw":
        _write_raw(spec, path)
    else:
        raw = path.with_name(path.name + ".raw-tmp")
        _write_raw(spec, raw)
        try:
            subprocess.run(
                ["qemu-img", "convert", "-q", "-f", "raw", "-O", "qcow2", "-o", "compat=1.1", str(raw), str(path)],
                check=True, timeout=300,
            )
        finally:
            raw.unlink(missing_ok=True)
    key = blake3.blake3(json.dumps(wanted, sort_keys=True).encode()).hexdigest()
    if hashes is None or key not in hashes:
        digest = image_blake3(spec)
        if hashes is not None:
            hashes[key] = digest
    result = {
        "path": str(path),
        "blake3": hashes[key] if hashes is not None else digest,
        "actual_size": os.stat(path).st_blocks * 512,
    }
    meta_path.write_text(json.dumps({"spec": wanted, "result": result}))
    return result


def copy_image(source: Path, path: Path, hashes: dict) -> dict:
    """A raw image from this machine (the lab's real guest) as a disk: a sparse copy, reused while
    the source is unchanged; its digest is cached by source path, size and mtime."""
    path.parent.mkdir(parents=True, exist_ok=True)
    meta_path = path.with_name(path.name + ".meta")
    stat = source.stat()
    wanted = {"source": str(source), "size": stat.st_size, "mtime_ns": stat.st_mtime_ns}
    if path.exists() and meta_path.exists():
        meta = json.loads(meta_path.read_text())
        if meta.get("spec") == wanted:
            return meta["result"]
    tmp = path.with_name(path.name + ".copy-tmp")
    subprocess.run(["cp", "--sparse=always", str(source), str(tmp)], check=True, timeout=300)
    tmp.replace(path)
    key = json.dumps(wanted, sort_keys=True)
    if key not in hashes:
        digest = blake3.blake3(max_threads=blake3.blake3.AUTO)
        with open(source, "rb") as f:
            while chunk := f.read(8 * MiB):
                digest.update(chunk)
        hashes[key] = digest.hexdigest()
    result = {"path": str(path), "blake3": hashes[key], "actual_size": os.stat(path).st_blocks * 512}
    meta_path.write_text(json.dumps({"spec": wanted, "result": result}))
    return result

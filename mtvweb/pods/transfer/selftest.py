"""`--selftest`: writes a known sparse pattern to the target (a file in a Filesystem PVC or a
Block device path) and prints what it wrote, so the cluster can be checked end to end without
a source (tests/lab/test_kube.py)."""

from __future__ import annotations

import os

import blake3

CHUNK = 1 << 20
DEFAULT_SIZE = 8 * CHUNK


def selftest_pattern(size: int):
    """Yield (offset, data) for every other MiB; the MiBs between stay holes."""
    for offset in range(0, size, 2 * CHUNK):
        length = min(CHUNK, size - offset)
        yield offset, bytes([(offset // CHUNK) % 251 + 1]) * length


def selftest(target: str, size: int) -> dict:
    written = 0
    fd = os.open(target, os.O_WRONLY | os.O_CREAT, 0o644)
    try:
        if os.path.isfile(target) or not os.path.exists(target):
            os.ftruncate(fd, size)
        for offset, data in selftest_pattern(size):
            os.pwrite(fd, data, offset)
            written += len(data)
        os.fsync(fd)
    finally:
        os.close(fd)
    hasher = blake3.blake3()
    with open(target, "rb") as f:
        remaining = size
        while remaining:
            block = f.read(min(CHUNK, remaining))
            if not block:
                break
            hasher.update(block)
            remaining -= len(block)
    return {"target": target, "size": size, "bytes_written": written, "blake3": hasher.hexdigest()}

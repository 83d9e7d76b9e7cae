"""Disk files with known content: generation, sparse copies and digests.

Every Cinder volume and Glance image of the lab is a sparse raw file. A file's bytes never
change once written (volumes are never written through the API), so digests are keyed by a
*content key* that copies inherit, and cached on disk between runs.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import random
import threading
from pathlib import Path

import blake3

from lab.runtime import CACHE_DIR

GIB = 1 << 30
MIB = 1 << 20
CHUNK = 4 * MIB
GENERATOR = "os-disk-v1"  # bump when generate() changes, so cached digests are not reused
DIGEST_CACHE = CACHE_DIR / "openstack" / "digests.json"


def generate(path: Path, label: str, size: int) -> str:
    """Write a sparse raw disk of `size` bytes whose data depends only on (label, size).

    Data sits in a few 1 MiB extents (start, middle, end) and some 64 KiB blocks between;
    the rest is a hole. Returns the content key.
    """
    rng = random.Random(f"{GENERATOR}:{label}:{size}")
    header = f"mtvweb lab openstack disk {label} size={size}\n".encode()
    extents = {0: header + rng.randbytes(MIB - len(header)), size // 2: rng.randbytes(MIB), size - MIB: rng.randbytes(MIB)}
    for _ in range(8):
        offset = rng.randrange(MIB, size - MIB, 64 * 1024)
        extents.setdefault(offset, rng.randbytes(64 * 1024))
    with open(path, "wb") as f:
        f.truncate(size)
        for offset, data in sorted(extents.items()):
            os.pwrite(f.fileno(), data, offset)
    return content_key_for(label, size)


def content_key_for(label: str, size: int) -> str:
    return f"{GENERATOR}:{label}:{size}"


def zero_key(size: int) -> str:
    return f"zeros:{size}"


def create_empty(path: Path, size: int) -> str:
    with open(path, "wb") as f:
        f.truncate(size)
    return zero_key(size)


def _data_ranges(fd: int, size: int):
    """(offset, length) of the data extents of a sparse file (holes skipped)."""
    offset = 0
    while offset < size:
        try:
            start = os.lseek(fd, offset, os.SEEK_DATA)
        except OSError as exc:
            if exc.errno == errno.ENXIO:  # only a hole remains
                return
            raise
        end = os.lseek(fd, start, os.SEEK_HOLE)
        yield start, min(end, size) - start
        offset = end


def sparse_copy(src: Path, dst: Path) -> None:
    """Copy src to dst keeping holes as holes."""
    size = src.stat().st_size
    with open(src, "rb") as fin, open(dst, "wb") as fout:
        fout.truncate(size)
        for start, length in _data_ranges(fin.fileno(), size):
            done = 0
            while done < length:
                n = os.copy_file_range(fin.fileno(), fout.fileno(), length - done, start + done, start + done)
                if n == 0:
                    break
                done += n


class Digests:
    """blake3 (for tests), md5 and sha512 (what Glance reports) of a whole raw file."""

    def __init__(self):
        self.blake3 = blake3.blake3()
        self.md5 = hashlib.md5(usedforsecurity=False)
        self.sha512 = hashlib.sha512()
        self.size = 0

    def update(self, data) -> None:
        self.blake3.update(data)
        self.md5.update(data)
        self.sha512.update(data)
        self.size += len(data)

    def result(self) -> dict:
        return {
            "blake3": self.blake3.hexdigest(),
            "md5": self.md5.hexdigest(),
            "sha512": self.sha512.hexdigest(),
            "size": self.size,
        }


_ZEROS = bytes(CHUNK)


def read_all(path: Path):
    """Every byte of a sparse file in chunks; holes come from a zero buffer, not from read()."""
    size = path.stat().st_size
    with open(path, "rb") as f:
        position = 0
        for start, length in [*_data_ranges(f.fileno(), size), (size, 0)]:
            while position < start:
                n = min(CHUNK, start - position)
                yield memoryview(_ZEROS)[:n]
                position += n
            f.seek(start)
            end = start + length
            while position < end:
                chunk = f.read(min(CHUNK, end - position))
                yield chunk
                position += len(chunk)


def blake3_of(path: Path) -> str:
    h = blake3.blake3(max_threads=blake3.blake3.AUTO)
    for chunk in read_all(path):
        h.update(chunk)
    return h.hexdigest()


def digests_of(path: Path) -> dict:
    d = Digests()
    for chunk in read_all(path):
        d.update(chunk)
    return d.result()


class DigestCache:
    """content key -> digests, remembered in ~/.cache/mtvweb/openstack/digests.json."""

    def __init__(self, path: Path = DIGEST_CACHE):
        self.path = path
        self._lock = threading.Lock()
        try:
            self._entries = json.loads(path.read_text())
        except (OSError, ValueError):
            self._entries = {}

    def get(self, key: str) -> dict:
        with self._lock:
            return dict(self._entries.get(key, {}))

    def put(self, key: str, values: dict) -> None:
        with self._lock:
            try:  # another lab process may have added entries since we loaded the file
                self._entries = {**json.loads(self.path.read_text()), **self._entries}
            except (OSError, ValueError):
                pass
            self._entries.setdefault(key, {}).update(values)
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_text(json.dumps(self._entries, indent=1, sort_keys=True))
            tmp.replace(self.path)

    def blake3(self, key: str, path: Path) -> str:
        known = self.get(key).get("blake3")
        if known:
            return known
        value = blake3_of(path)
        self.put(key, {"blake3": value})
        return value

    def full(self, key: str, path: Path) -> dict:
        """md5, sha512 and blake3 of path (the whole file is read unless cached)."""
        known = self.get(key)
        if all(k in known for k in ("md5", "sha512", "blake3", "size")):
            return known
        values = digests_of(path)
        self.put(key, values)
        return values

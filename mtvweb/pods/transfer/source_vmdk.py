"""`--source-kind vmdk`: a VMware disk image, alone or inside an OVA archive (`--member`).

The bytes are read where they lie: for an .ova, `tarfile` only finds the member's data
offset and length, then the member is read directly from the archive file.

What is understood:
- hosted sparse extents (magic `KDMV`): **streamOptimized** — what vSphere and qemu-img put in
  OVAs: grains compressed with deflate, each behind a marker `{lba: u64, size: u32}`, the grain
  directory and tables either after the header (qemu-img) or at the end behind a footer
  (vSphere, `gdOffset` = GD_AT_END) — and **monolithicSparse** (plain grains). Grains are
  found through the grain directory and tables, so any offset can be read (a resumed copy
  starts where it stopped), and every compressed grain's marker must name the grain asked
  for. Reading the disk in order reads the file in order: a read-ahead window serves the
  small marker and grain reads from large sequential ones.
- text descriptors whose extents are FLAT/VMFS files or ZERO (monolithicFlat, vmfs,
  twoGbMaxExtentFlat): the flat files are read as they are.
- anything else that is not named .vmdk: a raw image.
Other VMDK subformats (split sparse extents, seSparse, …) fail at once with their name.
"""

from __future__ import annotations

import os
import re
import struct
import tarfile
import zlib
from pathlib import PurePosixPath
from typing import NoReturn

from mtvweb.pods.transfer.common import TransferError, log
from mtvweb.pods.transfer.source_base import Chunk, Retryable, Source

SECTOR = 512
MAGIC = b"KDMV"
DESCRIPTOR = b"# Disk DescriptorFile"
GD_AT_END = 0xFFFFFFFFFFFFFFFF
FLAG_COMPRESSED = 1 << 16  # grains are deflated, each behind a {lba, size} header
DEFLATE = 1
# magic, version, flags, capacity, grainSize, descriptorOffset, descriptorSize, numGTEsPerGT,
# rgdOffset, gdOffset, overHead, uncleanShutdown, 4 line-end chars, compressAlgorithm
HEADER = struct.Struct("<4sIIQQQQIQQQB4sH")
GRAIN_HEADER = struct.Struct("<QI")  # a compressed grain (or a marker): lba, size
FOOTER_MARKER = 3
WINDOW = 8 << 20  # bytes of the file read at once when grains are read in order
FOOTER_SEARCH = 64 << 10  # the footer is looked for in the file's last bytes
MAX_GRAIN = 1 << 16  # sectors (32 MiB); VMware writes 128 (64 KiB), a larger one means a damaged header
MAX_DIRECTORY = 64 << 20  # bytes; 8 MiB covers the largest VMDK (62 TiB) in 64 KiB grains
AGAIN = "Copy the complete file to the share again, or export the VM again."


class Region:
    """`length` bytes of an open file from `base` (a whole file, or one tar member), read through
    a read-ahead window. OSError becomes Retryable: the retry loop tries again."""

    def __init__(self, fd: int, base: int, length: int):
        self.fd, self.base, self.length = fd, base, length
        self.start, self.data = 0, b""

    def at(self, position: int, n: int) -> memoryview:
        """Up to n bytes at `position` (fewer only at the region's end), through the window."""
        n = max(0, min(n, self.length - position))
        if not (self.start <= position and position + n <= self.start + len(self.data)):
            self.start, self.data = position, self.exact(position, max(n, WINDOW))
        offset = position - self.start
        return memoryview(self.data)[offset:offset + n]

    def exact(self, position: int, n: int) -> bytes:
        """Up to n bytes at `position` (fewer only at the region's end), leaving the window alone."""
        want, chunks, got = max(0, min(n, self.length - position)), [], 0
        while got < want:
            try:
                chunk = os.pread(self.fd, want - got, self.base + position + got)
            except OSError as exc:  # EIO, ESTALE, ETIMEDOUT from a network filesystem
                raise Retryable(exc.strerror or type(exc).__name__) from None
            if not chunk:
                break
            chunks.append(chunk)
            got += len(chunk)
        return b"".join(chunks)


def locate(fd: int, path: str, member: str | None) -> tuple[int, int]:
    """(data offset, length) of the file, or of `member` inside the tar archive at path."""
    size = os.fstat(fd).st_size
    if not member:
        return 0, size
    try:
        with tarfile.open(path, "r:") as tar:
            for info in tar:
                if info.name.removeprefix("./") == member.removeprefix("./") and info.isfile():
                    if info.offset_data + info.size > size:
                        raise TransferError(f"the archive {path} is truncated: {member} needs bytes up to "
                                            f"{info.offset_data + info.size}, the file has {size}. {AGAIN}")
                    return info.offset_data, info.size
    except (tarfile.TarError, EOFError) as exc:
        raise TransferError(f"{path} is not a readable OVA (tar) archive: {exc}. {AGAIN}") from None
    except OSError as exc:
        raise TransferError(f"cannot read the archive {path}: {exc.strerror or exc}") from None
    raise TransferError(f"the archive {path} has no member {member}: check the OVA on the share (rescan the "
                        "provider) and restart the migration")


def create_type(text: str) -> str:
    match = re.search(r'^\s*createType\s*=\s*"([^"]*)"', text, re.M)
    return match[1] if match else "unknown"


class SparseExtent:
    """A hosted sparse extent (streamOptimized or monolithicSparse), read through its grain tables."""

    def __init__(self, region: Region, label: str):
        self.region, self.label = region, label
        header = self._header(region.exact(0, SECTOR), "header")
        self.kind = "sparse VMDK"
        if header[5] and header[6]:  # the embedded descriptor names the subformat
            descriptor = region.exact(header[5] * SECTOR, min(header[6], 128) * SECTOR).decode("latin-1")
            self.kind = f"{create_type(descriptor)} VMDK"
        if header[9] == GD_AT_END:  # written as a stream: the footer at the end says where the tables are
            header = self._footer()
        _, version, flags, capacity, grain, _, _, per_gt, _, gd_offset, _, _, _, algorithm = header
        self.compressed = bool(flags & FLAG_COMPRESSED)
        if self.compressed and algorithm != DEFLATE:
            raise TransferError(f"{label} compresses its grains with algorithm {algorithm}; only deflate (1) is "
                                "known. Export the VM again from vSphere.")
        tables = -(-capacity // (grain * per_gt)) if grain and per_gt else 0
        if not grain or grain & (grain - 1) or grain > MAX_GRAIN or not per_gt or version > 3 \
                or tables * 4 > MAX_DIRECTORY:
            raise TransferError(f"{label} has an unusable sparse header (version {version}, grain {grain} "
                                f"sectors, {per_gt} entries per table): the file is damaged. {AGAIN}")
        self.capacity = capacity * SECTOR
        self.grain = grain * SECTOR
        self.per_gt, self.tables = per_gt, tables
        raw = region.exact(gd_offset * SECTOR, self.tables * 4)
        if len(raw) < self.tables * 4:
            self._truncated(f"its grain directory lies at byte {gd_offset * SECTOR}")
        self.directory = struct.unpack(f"<{self.tables}I", raw)
        self.table_cache: tuple[int, tuple[int, ...]] = (-1, ())
        self.grain_cache: tuple[int, bytes] = (-1, b"")

    def _header(self, raw: bytes, what: str) -> tuple:
        if len(raw) < HEADER.size or raw[:4] != MAGIC:
            raise TransferError(f"{self.label} has no valid sparse {what}: the file is damaged. {AGAIN}")
        return HEADER.unpack_from(raw)

    def _footer(self) -> tuple:
        """The header copy behind the footer marker, near the end (the end-of-stream marker, and
        maybe some padding, follow it)."""
        end = self.region.length
        start = max(0, end - FOOTER_SEARCH) // SECTOR * SECTOR
        tail = self.region.exact(start, end - start)
        for sector in range((len(tail) - 2 * SECTOR) // SECTOR, -1, -1):
            at = sector * SECTOR
            lba, size = GRAIN_HEADER.unpack_from(tail, at)
            if (lba, size) == (1, 0) and struct.unpack_from("<I", tail, at + 12)[0] == FOOTER_MARKER \
                    and tail[at + SECTOR:at + SECTOR + 4] == MAGIC:
                return self._header(tail[at + SECTOR:at + 2 * SECTOR], "footer")
        self._truncated("it does not end with the footer a streamOptimized VMDK ends with (its grain directory "
                        "is written last)")

    def _truncated(self, why: str) -> NoReturn:
        raise TransferError(f"{self.label} is truncated or damaged: it holds {self.region.length} bytes and {why}. "
                            f"{AGAIN}")

    def _table(self, number: int) -> tuple[int, ...] | None:
        sector = self.directory[number]
        if not sector:
            return None
        if self.table_cache[0] != number:
            raw = self.region.exact(sector * SECTOR, self.per_gt * 4)
            if len(raw) < self.per_gt * 4:
                self._truncated(f"grain table {number} lies at byte {sector * SECTOR}")
            self.table_cache = (number, struct.unpack(f"<{self.per_gt}I", raw))
        return self.table_cache[1]

    def grain_sector(self, index: int) -> int:
        """Where grain `index` is in the file, in sectors; 0 (or 1: a zeroed grain) when it reads as zeros."""
        table = self._table(index // self.per_gt)
        return table[index % self.per_gt] if table else 0

    def read_grain(self, index: int) -> bytes | None:
        """The grain's bytes, or None when it is unallocated (zeros)."""
        if self.grain_cache[0] == index:
            return self.grain_cache[1]
        sector = self.grain_sector(index)
        if sector <= 1:
            return None
        position = sector * SECTOR
        if self.compressed:
            head = self.region.at(position, GRAIN_HEADER.size)
            if len(head) < GRAIN_HEADER.size:
                self._truncated(f"the grain for disk byte {index * self.grain} lies at byte {position}")
            lba, size = GRAIN_HEADER.unpack(head)
            if lba * SECTOR != index * self.grain or size > 2 * self.grain + 4096:
                raise TransferError(f"{self.label} is damaged: the grain table sends disk byte {index * self.grain} "
                                    f"to byte {position} of the file, where a grain for disk byte {lba * SECTOR} "
                                    f"of {size} bytes is. {AGAIN}")
            packed = self.region.at(position + GRAIN_HEADER.size, size)
            if len(packed) < size:
                self._truncated(f"the grain for disk byte {index * self.grain} ends at byte "
                                f"{position + GRAIN_HEADER.size + size}")
            data = self._inflate(packed, index)
        else:
            data = bytes(self.region.at(position, self.grain))
            if len(data) < min(self.grain, self.capacity - index * self.grain):
                self._truncated(f"the grain for disk byte {index * self.grain} lies at byte {position}")
        if len(data) < self.grain:
            data += bytes(self.grain - len(data))
        self.grain_cache = (index, data)
        return data

    def _inflate(self, packed: memoryview, index: int) -> bytes:
        zlib_header = len(packed) >= 2 and packed[0] & 0x0F == 8 and (packed[0] << 8 | packed[1]) % 31 == 0
        inflater = zlib.decompressobj(zlib.MAX_WBITS if zlib_header else -zlib.MAX_WBITS)
        try:
            data = inflater.decompress(packed, self.grain + 1)
            why = ("it holds more than a grain" if len(data) > self.grain
                   else "" if inflater.eof else "its compressed data ends early")
        except zlib.error as exc:
            data, why = b"", str(exc)
        if why:
            raise TransferError(f"{self.label} is damaged: the grain for disk byte {index * self.grain} does not "
                                f"decompress ({why}). {AGAIN}")
        return data

    def fill(self, chunk: Chunk, position: int, end: int) -> None:
        """Add the disk's bytes from position to end; unallocated grains and tables are zeros."""
        while position < end:
            index, skip = divmod(position, self.grain)
            if self.directory[index // self.per_gt] == 0:  # a whole table's span is empty
                stop = min(end, (index // self.per_gt + 1) * self.per_gt * self.grain)
                chunk.zeros(stop - position)
                position = stop
                continue
            stop = min(end, (index + 1) * self.grain)
            data = self.read_grain(index)
            if data is None:
                chunk.zeros(stop - position)
            else:
                chunk.put(memoryview(data)[skip:skip + stop - position] if skip or stop - position < len(data)
                          else data)
            position = stop


class FlatExtents:
    """A descriptor's FLAT/VMFS/ZERO extents, end to end."""

    EXTENT = re.compile(r'^\s*(?:RW|RDONLY|NOACCESS)\s+(\d+)\s+(\w+)(?:\s+"([^"]*)"(?:\s+(\d+))?)?', re.M)

    def __init__(self, descriptor: str, folder: str, label: str):
        self.kind = f"{create_type(descriptor)} VMDK"
        self.label, self.folder, self.fds = label, folder, []
        self.extents = []  # (disk start, length, fd or None for zeros, file offset)
        self.capacity = 0
        try:
            for sectors, kind, name, offset in self.EXTENT.findall(descriptor):
                self._add(int(sectors) * SECTOR, kind.upper(), name, int(offset or 0) * SECTOR)
        except BaseException:
            self.close()
            raise

    def _add(self, length: int, kind: str, name: str, offset: int) -> None:
        if kind not in ("FLAT", "VMFS", "ZERO"):
            raise TransferError(f"{self.label} has a {kind} extent, which cannot be read here: convert the disk "
                                "with qemu-img to streamOptimized, monolithicSparse or raw")
        fd = None
        if kind != "ZERO":
            path = os.path.join(self.folder, name)
            try:
                fd = os.open(path, os.O_RDONLY)
            except OSError as exc:
                raise TransferError(f"{self.label} names the extent file {name}, which cannot be opened "
                                    f"({exc.strerror}): copy it beside the descriptor") from None
            self.fds.append(fd)
            if os.fstat(fd).st_size < offset + length:
                raise TransferError(f"the extent file {path} is shorter than {self.label} says: copy it again")
        self.extents.append((self.capacity, length, fd, offset))
        self.capacity += length

    def fill(self, chunk: Chunk, position: int, end: int) -> None:
        for start, length, fd, offset in self.extents:
            if position >= end:
                return
            if not start <= position < start + length:
                continue
            n = min(end, start + length, position + WINDOW) - position
            if fd is None:
                chunk.zeros(n)
            else:
                try:
                    got = os.preadv(fd, [chunk.space(n)], offset + position - start)
                except OSError as exc:
                    raise Retryable(exc.strerror or type(exc).__name__) from None
                if not got:
                    raise TransferError(f"an extent of {self.label} ended early at disk byte {position}")
                chunk.advance(got)
            return

    def close(self) -> None:
        for fd in self.fds:
            os.close(fd)


class RawImage:
    kind = "raw image"

    def __init__(self, region: Region):
        self.region, self.capacity = region, region.length

    def fill(self, chunk: Chunk, position: int, end: int) -> None:
        chunk.put(self.region.at(position, end - position))


FLAT_TYPES = {"monolithicFlat", "vmfs", "twoGbMaxExtentFlat"}


class VmdkSource(Source):
    def __init__(self, path: str, size: int, member: str | None = None, **kwargs):
        super().__init__(size, **kwargs)
        self.path = path
        self.host = self.label = f"{path}:{member}" if member else path
        try:
            self.fd = os.open(path, os.O_RDONLY)
        except OSError as exc:
            raise TransferError(f"cannot open the source {path}: {exc.strerror}") from None
        try:
            self.disk = self._open(path, member)
        except BaseException:
            os.close(self.fd)
            raise
        if self.disk.capacity < size:
            self.close()
            raise TransferError(f"the source {self.label} holds a {self.disk.capacity}-byte disk, the disk has "
                                f"{size} bytes (--size)")
        log(f"source: {self.label}, a {self.disk.kind} of {self.disk.capacity} bytes")

    def _open(self, path: str, member: str | None):
        base, length = locate(self.fd, path, member)
        if hasattr(os, "posix_fadvise"):
            os.posix_fadvise(self.fd, base, length, os.POSIX_FADV_SEQUENTIAL)
        region = Region(self.fd, base, length)
        head = region.exact(0, SECTOR)
        name = PurePosixPath(member or path).name
        if head[:4] == MAGIC:
            return SparseExtent(region, f"the VMDK {self.label}")
        if head.startswith(DESCRIPTOR):
            text = region.exact(0, min(length, 64 << 10)).decode("latin-1")
            subformat = create_type(text)
            if subformat not in FLAT_TYPES or member:
                where = " inside an OVA" if member else ""
                raise TransferError(f"the VMDK {self.label} is a {subformat} disk{where}, which cannot be read "
                                    "here: export it as an OVA (streamOptimized) or convert it with qemu-img to "
                                    "streamOptimized, monolithicSparse or raw")
            return FlatExtents(text, os.path.dirname(path), f"the VMDK descriptor {self.label}")
        if name.lower().endswith(".vmdk"):
            raise TransferError(f"{self.label} is not a VMDK (no sparse header, no descriptor): the file is damaged. "
                                f"{AGAIN}")
        return RawImage(region)

    def _fill(self, chunk: Chunk, position: int, end: int) -> None:
        self.disk.fill(chunk, position, min(end, position + WINDOW))

    def describe_failure(self, position: int, retries: str, reason: str) -> str:
        return f"could not read {self.label} at disk byte {position} of {self.size} after {retries}: {reason}"

    def close(self) -> None:
        if isinstance(self.disk, FlatExtents):
            self.disk.close()
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None

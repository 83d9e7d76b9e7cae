"""The target: a file in a Filesystem PVC (created if missing) or a Block device that exists.

Blocks of zeros are never written: a file is truncated first so that everything not written
reads as zeros (a hole), and a fresh block device is assumed to read as zeros. A regular file
longer than the disk (the lab plays Block volumes with plain files) keeps its length.
"""

from __future__ import annotations

import os
import stat

from mtvweb.pods.transfer.blocks import nonzero_runs, same
from mtvweb.pods.transfer.common import TransferError, log, new_hasher
from mtvweb.pods.transfer.holes import run_at

ZERO_BLOCK = 64 << 10  # zero detection granularity; runs of non-zero blocks go out in one write
READ_CHUNK = 8 << 20
ZEROS = memoryview(bytes(READ_CHUNK))


class Target:
    def __init__(self, path: str, size: int):
        self.path, self.size = path, size
        exists = os.path.exists(path)
        if exists:
            mode = os.stat(path).st_mode
            if not (stat.S_ISREG(mode) or stat.S_ISBLK(mode)):
                raise TransferError(f"the target {path} is neither a file nor a block device")
            self.block = stat.S_ISBLK(mode)
        else:
            self.block = False
            folder = os.path.dirname(path) or "."
            if not os.path.isdir(folder):
                raise TransferError(f"the target's folder {folder} does not exist: is the volume mounted?")
        try:
            self.fd = os.open(path, os.O_RDWR | (0 if exists else os.O_CREAT), 0o644)
        except OSError as exc:
            raise TransferError(f"cannot open the target {path}: {exc.strerror}") from None
        if self.block:
            capacity = os.lseek(self.fd, 0, os.SEEK_END)
            if capacity < size:
                raise TransferError(f"the target device {path} holds {capacity} bytes, the disk needs {size}")

    @property
    def kind(self) -> str:
        return "block device" if self.block else "file"

    def zero_from(self, offset: int) -> None:
        """Make every byte from `offset` on read as zeros (a file: cut and extend again)."""
        if self.block:
            return
        length = os.fstat(self.fd).st_size
        if length > self.size and offset == 0:
            log(f"the target file is longer than the disk ({length} > {self.size} bytes): its length is kept")
        try:
            os.ftruncate(self.fd, offset)
            os.ftruncate(self.fd, max(length, self.size))
        except OSError as exc:
            raise TransferError(f"cannot resize the target {self.path}: {exc.strerror}") from None

    def write_sparse(self, offset: int, data: memoryview) -> int:
        """Write the non-zero blocks of `data` at `offset`; return how many bytes were written."""
        self.written_runs = nonzero_runs(data, ZERO_BLOCK)  # (start, stop) within data, for `check`
        return sum(self._write(offset + start, data[start:stop]) for start, stop in self.written_runs)

    def check(self, offset: int, data: memoryview, spare: memoryview) -> None:
        """Read back what the last write_sparse wrote (a block device: the whole chunk, since its
        skipped blocks must read as zeros too; a file's skipped blocks are holes) and compare it
        with `data`, using `spare` (as long as data) to read into."""
        runs = [(0, len(data))] if self.block else self.written_runs
        for start, stop in runs:
            position = start
            try:
                while position < stop:
                    n = os.preadv(self.fd, [spare[position:stop]], offset + position)
                    if n == 0:
                        raise TransferError(f"the target {self.path} ends at byte {offset + position}")
                    position += n
            except OSError as exc:
                raise TransferError(f"cannot read the target {self.path} back at byte {offset + position}: "
                                    f"{exc.strerror}") from None
            if not same(spare[start:stop], data[start:stop]):
                at = next(a for a in range(start, stop, ZERO_BLOCK)
                          if not same(spare[a:min(a + ZERO_BLOCK, stop)], data[a:min(a + ZERO_BLOCK, stop)]))
                raise TransferError(f"target does not match the source: the bytes read back from {self.path} at "
                                    f"byte {offset + at} differ from the source's. Check the volume, then "
                                    "restart the migration (it goes on from the last verified byte)")

    def _write(self, offset: int, data: memoryview) -> int:
        done = 0
        try:
            while done < len(data):
                done += os.pwrite(self.fd, data[done:], offset + done)
        except OSError as exc:
            raise TransferError(f"cannot write the target {self.path} at byte {offset + done}: {exc.strerror}") from None
        return done

    def write_behind(self, offset: int, length: int) -> None:
        """Start writing these (already checked) bytes to the storage now and let the page cache
        drop them once written: checkpoints and the final flush then wait for little, and the copy
        does not fill the Pod's memory with cached pages."""
        if hasattr(os, "posix_fadvise"):
            os.posix_fadvise(self.fd, offset, length, os.POSIX_FADV_DONTNEED)

    def sync(self) -> None:
        try:
            os.fsync(self.fd)
        except OSError as exc:
            raise TransferError(f"cannot flush the target {self.path}: {exc.strerror}") from None

    def hasher_of_prefix(self, length: int, from_storage: bool = True):
        """A BLAKE3 hasher fed with the target's first `length` bytes, read from storage (or, for
        the check right after writing, wherever the kernel has them: that proves our own writes —
        offsets, skipped zeros — while the storage's integrity is its own checksums' job)."""
        if from_storage and hasattr(os, "posix_fadvise"):  # read what the storage holds, not the page cache
            os.posix_fadvise(self.fd, 0, length, os.POSIX_FADV_DONTNEED)
        hasher = new_hasher()
        buf = bytearray(min(READ_CHUNK, max(length, 1)))
        view = memoryview(buf)
        position = 0
        try:
            while position < length:
                stop, hole = run_at(self.fd, position, length)
                if hole:  # it reads as zeros, no need to ask the storage
                    while position < stop:
                        step = min(len(ZEROS), stop - position)
                        hasher.update(ZEROS[:step])
                        position += step
                    continue
                n = os.preadv(self.fd, [view[: min(len(buf), stop - position)]], position)
                if n == 0:
                    raise TransferError(f"the target {self.path} ends at byte {position}, the disk has {length}")
                hasher.update(view[:n])
                position += n
        except OSError as exc:
            raise TransferError(f"cannot read the target {self.path} back at byte {position}: {exc.strerror}") from None
        return hasher

    def close(self) -> None:
        os.close(self.fd)

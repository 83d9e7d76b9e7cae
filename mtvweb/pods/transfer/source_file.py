"""`--source-kind file`: a raw image file (or device) the Pod sees, e.g. on an NFS share.

Holes are found with SEEK_DATA/SEEK_HOLE and not read: they are zeros by definition."""

from __future__ import annotations

import os
import stat

from mtvweb.pods.transfer.common import TransferError
from mtvweb.pods.transfer.holes import run_at
from mtvweb.pods.transfer.source_base import Chunk, Retryable, Source

READ = 8 << 20


class FileSource(Source):
    def __init__(self, path: str, size: int, **kwargs):
        super().__init__(size, **kwargs)
        self.path = self.host = self.label = path
        try:
            self.fd = os.open(path, os.O_RDONLY)
            st = os.fstat(self.fd)
        except OSError as exc:
            raise TransferError(f"cannot open the source {path}: {exc.strerror}") from None
        if stat.S_ISBLK(st.st_mode):
            length = os.lseek(self.fd, 0, os.SEEK_END)
        elif stat.S_ISREG(st.st_mode):
            length = st.st_size
        else:
            raise TransferError(f"the source {path} is neither a file nor a block device")
        if length < size:
            raise TransferError(f"the source {path} holds only {length} bytes, the disk has {size} (--size)")
        if hasattr(os, "posix_fadvise"):
            os.posix_fadvise(self.fd, 0, 0, os.POSIX_FADV_SEQUENTIAL)

    def _fill(self, chunk: Chunk, position: int, end: int) -> None:
        try:
            stop, hole = run_at(self.fd, position, min(end, position + READ))
            if hole:
                chunk.zeros(stop - position)
                return
            n = os.preadv(self.fd, [chunk.space(stop - position)], position)
        except OSError as exc:  # EIO, ESTALE, ETIMEDOUT from a network filesystem
            raise Retryable(exc.strerror or type(exc).__name__) from None
        if not n:
            raise TransferError(f"the source {self.path} ended at byte {position}, the disk has {self.size} bytes")
        chunk.advance(n)

    def describe_failure(self, position: int, retries: str, reason: str) -> str:
        return f"could not read {self.path} at byte {position} of {self.size} after {retries}: {reason}"

    def close(self) -> None:
        os.close(self.fd)

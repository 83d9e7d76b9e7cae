"""The copy loop: read the source chunk by chunk, write the non-zero blocks, hash the whole
logical stream, checkpoint now and then, and prove the target equals the source: every chunk
is read back from the target once written and compared byte for byte with what the source
gave (a second BLAKE3 pass over the whole disk would cost as much as the copy's own hashing).

Two chunk buffers are allocated once and reused: the source fills one while the other is
written, hashed and checked.

Resume (--resume): a checkpoint for the same source and size says the target holds the
source's first `offset` bytes. The target's prefix is hashed again and compared with the
source hash recorded then (`prefixBlake3`); if it matches the copy goes on from `offset`
with that hasher (so the final hash still covers the whole disk), otherwise it starts over.
A `done` checkpoint whose hash the target still has means nothing is read from the source.
"""

from __future__ import annotations

import mmap
import os
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from mtvweb.pods.transfer.checkpoint import Checkpoints
from mtvweb.pods.transfer.common import Interrupted, TransferError, log, mib, new_hasher
from mtvweb.pods.transfer.progress import Progress
from mtvweb.pods.transfer.source_base import Source
from mtvweb.pods.transfer.target import Target


@dataclass
class Options:
    disk: str | None
    size: int
    chunk_size: int = 8 << 20
    resume: bool = False
    checkpoint_every: int = 64  # chunks
    checkpoint_seconds: float = 15.0  # ... or this long, whichever comes first
    stop_after_chunks: int | None = None  # tests: die like a killed Pod after this many chunks
    max_rate: int = 0  # bytes per second read from the source at most (0: as fast as it goes)


class Copy:
    def __init__(self, source: Source, target: Target, checkpoints: Checkpoints, options: Options, annotator=None):
        self.source, self.target, self.checkpoints, self.options = source, target, checkpoints, options
        self.annotator = annotator
        self.offset = self.bytes_read = self.bytes_written = 0
        self.started = time.monotonic()

    def run(self) -> dict:
        size = self.options.size
        log(f"start: disk {self.options.disk or '-'}, {mib(size)} ({size} bytes) from {self.source.label} "
            f"to the {self.target.kind} {self.target.path}")
        start, hasher, finished = self._starting_point()
        if finished:
            log(f"skipped: the target already holds this disk (blake3 {hasher.hexdigest()[:16]}…)")
            return self._result(hasher.hexdigest(), skipped=True, resumed_from=size)
        if start:
            log(f"resuming at byte {start} ({start * 100 // size}%)")
        else:
            self.checkpoints.remove()
        self.target.zero_from(start)
        progress = Progress(size, start, self.annotator)
        try:
            self._loop(start, hasher, progress)
        except TransferError:
            self._keep_progress(start, hasher)  # a restart resumes from here, not from the last checkpoint
            raise
        except Interrupted as exc:
            where = (f"--resume goes on from byte {self.checkpoints.offset}" if self.checkpoints.path
                     else "there is no checkpoint to resume from")
            raise TransferError(f"stopped by {exc} at byte {self.offset} of {size}; {where}") from None
        finally:
            progress.finish(self.offset, self.bytes_written)
        source_digest = hasher.hexdigest()
        self.target.sync()
        self.checkpoints.save(size, source_digest, done=True)
        seconds = time.monotonic() - self.started
        skipped = f" ({mib(self.source.zero_bytes)} known zero, not read)" if self.source.zero_bytes else ""
        log(f"done: {mib(self.bytes_read)} copied{skipped} in {seconds:.1f} s ({progress.rate(self.offset):.1f} MiB/s), "
            f"{mib(self.bytes_written)} written and read back, {self.source.retry_count} retries, "
            f"blake3 {source_digest}")
        return self._result(source_digest, skipped=False, resumed_from=start)

    def _starting_point(self):
        """(offset, hasher of the source's bytes before it, finished)."""
        size = self.options.size
        if not self.options.resume:
            return 0, new_hasher(), False
        if not self.checkpoints.path:
            log(f"no checkpoint for the {self.target.kind} {self.target.path} (give --checkpoint): starting at byte 0")
            return 0, new_hasher(), False
        saved = self.checkpoints.load()
        if not saved or saved["offset"] == 0:
            return 0, new_hasher(), False
        if saved.get("done"):
            hasher = self.target.hasher_of_prefix(size)
            if hasher.hexdigest() == saved.get("blake3"):
                return size, hasher, True
            log("the target no longer matches the finished checkpoint: copying again")
            return 0, new_hasher(), False
        hasher = self.target.hasher_of_prefix(saved["offset"])
        if hasher.hexdigest() != saved.get("prefixBlake3"):
            log(f"the target's first {saved['offset']} bytes differ from the checkpoint's: starting over")
            return 0, new_hasher(), False
        self.checkpoints.offset = saved["offset"]
        return saved["offset"], hasher, False

    def _loop(self, start: int, hasher, progress: Progress) -> None:
        size, chunk = self.options.size, self.options.chunk_size
        self.offset = start
        last_checkpoint = began = time.monotonic()
        # The next chunk is read while this one is written and hashed: network, disk and hashing
        # all release the GIL, so the three overlap.
        reader = ThreadPoolExecutor(max_workers=1, thread_name_prefix="read-ahead")
        self.buffers = [mmap.mmap(-1, chunk) for _ in range(2)]  # page-aligned, allocated once
        self.check_buffer = mmap.mmap(-1, chunk)
        ahead = reader.submit(self.source.read, self.offset, self._view(0, min(chunk, size - self.offset))) \
            if self.offset < size else None
        try:
            self._copy_chunks(start, hasher, progress, reader, ahead, began, last_checkpoint)
        finally:
            reader.shutdown(wait=False, cancel_futures=True)  # a read still running keeps its buffer alive

    def _view(self, number: int, length: int) -> memoryview:
        return memoryview(self.buffers[number % 2])[:length]

    def _copy_chunks(self, start, hasher, progress, reader, ahead, began, last_checkpoint) -> None:
        size, chunk = self.options.size, self.options.chunk_size
        chunks = 0
        while self.offset < size:
            length = min(chunk, size - self.offset)
            data = ahead.result()
            following = self.offset + length
            if following < size:
                ahead = reader.submit(self.source.read, following, self._view(chunks + 1, min(chunk, size - following)))
            self.bytes_written += self.target.write_sparse(self.offset, data)
            self.target.check(self.offset, data, memoryview(self.check_buffer)[:length])
            hasher.update(data)  # after the check: on a failure the hash covers exactly the bytes before self.offset
            if self.offset > start:  # the chunk before this one: written and checked
                self.target.write_behind(max(start, self.offset - chunk), min(chunk, self.offset - start))
            self.offset += length
            self.bytes_read += length
            chunks += 1
            progress.update(self.offset, self.bytes_written)
            if self.options.max_rate:  # spare the source's link: never ahead of the allowed rate
                early = (self.offset - start) / self.options.max_rate - (time.monotonic() - began)
                if early > 0:
                    time.sleep(early)
            due = (chunks % self.options.checkpoint_every == 0
                   or time.monotonic() - last_checkpoint >= self.options.checkpoint_seconds)
            if self.checkpoints.path and due and self.offset < size:
                self.target.sync()  # the checkpoint never claims bytes the storage does not hold
                self.checkpoints.save(self.offset, hasher.hexdigest())
                last_checkpoint = time.monotonic()
            if self.options.stop_after_chunks and chunks >= self.options.stop_after_chunks:
                log(f"stopping hard after {chunks} chunks at byte {self.offset} (--stop-after-chunks)")
                os._exit(3)

    def _keep_progress(self, start: int, hasher) -> None:
        """After a failure between chunks: what is written is flushed and checkpointed (the hash
        covers exactly the bytes up to self.offset then)."""
        if not self.checkpoints.path or self.offset <= max(start, self.checkpoints.offset or 0):
            return
        try:
            self.target.sync()
            self.checkpoints.save(self.offset, hasher.hexdigest())
            log(f"checkpoint saved at byte {self.offset}: --resume goes on from there")
        except (OSError, TransferError) as exc:
            log(f"could not save a checkpoint at byte {self.offset}: {exc}")

    def _result(self, digest: str, skipped: bool, resumed_from: int) -> dict:
        return {
            "disk": self.options.disk,
            "size": self.options.size,
            "bytesRead": self.bytes_read,
            "bytesWritten": self.bytes_written,
            "blake3": digest,
            "seconds": round(time.monotonic() - self.started, 3),
            "skipped": skipped,
            "resumedFrom": resumed_from,
            "retries": self.source.retry_count,
        }

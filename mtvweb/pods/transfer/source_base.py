"""The retry loop both sources share: a read that fails for a passing reason (a dropped
connection, a 5xx, an NFS hiccup) is tried again from the byte it reached, with exponential
backoff, and fails with one clear line once the budget is spent."""

from __future__ import annotations

import time

from mtvweb.pods.transfer.common import TransferError, log

FIRST_DELAY = 0.25  # seconds; doubles on every retry
ZEROS = memoryview(bytes(1 << 20))  # sliced without copying


class Chunk:
    """A chunk's buffer, filled in order by a source: bytes copied in, read straight into it, or
    zeros a source knows of without reading them (a hole, an unallocated grain, an extent)."""

    def __init__(self, view: memoryview, source=None):
        self.view, self.filled, self.source = view, 0, source

    def put(self, data) -> None:
        n = len(data)
        self.view[self.filled:self.filled + n] = data
        self.filled += n

    def zeros(self, n: int) -> None:
        if self.source is not None:
            self.source.zero_bytes += n
        while n > 0:
            step = min(n, len(ZEROS))
            self.put(ZEROS[:step])
            n -= step

    def space(self, n: int) -> memoryview:
        """The next n bytes of the buffer, for a readinto; `advance` then counts what arrived."""
        return self.view[self.filled:self.filled + n]

    def advance(self, n: int) -> None:
        self.filled += n


class Retryable(Exception):
    """A failure worth another try; the message is the short reason shown to the user."""


def backoff_delays(retries: int, total_wait: float) -> list[float]:
    """0.25, 0.5, 1, 2, 4 … seconds, scaled down so that all of them add up to <= total_wait."""
    delays = [FIRST_DELAY * 2**k for k in range(retries)]
    if delays and sum(delays) > total_wait:
        factor = total_wait / sum(delays)
        delays = [d * factor for d in delays]
    return delays


class Source:
    """Reads `size` bytes at increasing offsets. Subclasses implement `_fill` and `describe_failure`."""

    host = ""  # where the bytes come from, for log lines ("esx1.example:443", a path)
    label = ""  # the source without credentials or query, for log lines and the checkpoint

    def __init__(self, size: int, retries: int = 5, retry_wait: float = 10.0, sleep=time.sleep):
        self.size = size
        self.retries = retries
        self.delays = backoff_delays(retries, retry_wait)
        self.sleep = sleep
        self.retry_count = 0  # retries made in the whole run
        self.zero_bytes = 0  # bytes the source said were zeros, so never read

    def read(self, offset: int, view: memoryview) -> memoryview:
        """Fill `view` with the bytes at `offset` (exactly len(view) of them), or TransferError."""
        chunk, length = Chunk(view, self), len(view)
        failures = 0
        while chunk.filled < length:
            before = chunk.filled
            try:
                self._fill(chunk, offset + chunk.filled, offset + length)
            except Retryable as exc:
                # A try that moved forward starts the count again: a link that drops now and
                # then never stops a long copy, one that no longer delivers does.
                failures = 1 if chunk.filled > before else failures + 1
                position = offset + chunk.filled
                if failures > self.retries:
                    made = failures - 1
                    retries = f"{made} {'retry' if made == 1 else 'retries'}"
                    raise TransferError(self.describe_failure(position, retries, str(exc))) from None
                delay = self.delays[failures - 1]
                self.retry_count += 1
                log(f"{self.host}: {exc} at byte {position}; retry {failures}/{self.retries} in {delay:.2f} s")
                self.sleep(delay)
        return view

    def _fill(self, chunk: Chunk, position: int, end: int) -> None:
        """Add the bytes from `position` up to `end` (or fewer) to `chunk`; Retryable on a passing failure."""
        raise NotImplementedError

    def describe_failure(self, position: int, retries: str, reason: str) -> str:
        """The one-line message once the retries ("2 retries") are spent."""
        raise NotImplementedError

    def close(self) -> None:
        pass

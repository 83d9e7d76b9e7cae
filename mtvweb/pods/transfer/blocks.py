"""Whole-buffer checks at memory speed (numpy reads the chunk buffers in place, no copies):
which blocks hold anything but zeros, and whether two buffers hold the same bytes."""

from __future__ import annotations

import numpy

ALIGN = 8  # bytes per word compared


def nonzero_runs(data: memoryview, block: int) -> list[tuple[int, int]]:
    """(start, stop) of each run of `block`-sized blocks of `data` that are not all zeros (the
    last block may be shorter)."""
    n = len(data)
    full = n // block * block
    flags = list(numpy.frombuffer(data[:full], dtype=numpy.uint64).reshape(-1, block // ALIGN).any(axis=1)) \
        if full else []
    if full < n:
        flags.append(bool(numpy.frombuffer(data[full:], dtype=numpy.uint8).any()))
    runs, run = [], None
    for index, nonzero in enumerate(flags):
        if nonzero and run is None:
            run = index * block
        elif not nonzero and run is not None:
            runs.append((run, index * block))
            run = None
    if run is not None:
        runs.append((run, n))
    return runs


def same(a: memoryview, b: memoryview) -> bool:
    if len(a) != len(b):
        return False
    kind = numpy.uint64 if len(a) % ALIGN == 0 else numpy.uint8
    return bool(numpy.array_equal(numpy.frombuffer(a, dtype=kind), numpy.frombuffer(b, dtype=kind)))

"""Where a file's data and holes are (SEEK_DATA/SEEK_HOLE): the file source skips holes, the
KubeVirt reader lists them as extents, the target's re-hash does not read them."""

from __future__ import annotations

import errno
import os


def run_at(fd: int, position: int, end: int) -> tuple[int, bool]:
    """Where the data or the hole at `position` stops (at most `end`), and whether it is a hole.
    A block device or a file system without SEEK_DATA reads as all data."""
    try:
        data = os.lseek(fd, position, os.SEEK_DATA)
    except OSError as exc:
        return end, exc.errno == errno.ENXIO  # ENXIO: nothing but a hole up to the end of the file
    if data > position:
        return min(data, end), True
    return min(os.lseek(fd, position, os.SEEK_HOLE), end), False

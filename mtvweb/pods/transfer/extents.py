"""Which ranges of a disk hold data, when the source can say (ovirt-imageio's `extents`, vSphere's
changed areas since `*`, our KubeVirt reader): zero ranges are not fetched at all.

The listing is ovirt-imageio's: `[{"start": 0, "length": n, "zero": false}, …]`, in order.
Zero ranges shorter than MERGE between data are read rather than skipped, so a fragmented disk
does not turn into thousands of small requests.
"""

from __future__ import annotations

import base64
import bisect
import json
import zlib

MERGE = 1 << 20


def encode(runs: list[tuple[int, int]]) -> str:
    """Data runs (start, end) as one short command-line word: `--extents-data`."""
    flat = [n for start, end in runs for n in (start, end - start)]
    return base64.urlsafe_b64encode(zlib.compress(json.dumps(flat, separators=(",", ":")).encode(), 9)).decode()


def decode(text: str) -> list[dict]:
    """What `encode` made, as a listing in ovirt-imageio's format (data ranges only)."""
    flat = json.loads(zlib.decompress(base64.urlsafe_b64decode(text.encode())))
    if not isinstance(flat, list) or len(flat) % 2:
        raise ValueError("not a list of start, length pairs")
    return [{"start": int(flat[i]), "length": int(flat[i + 1]), "zero": False} for i in range(0, len(flat), 2)]


class Extents:
    def __init__(self, runs: list[tuple[int, int]], size: int):
        self.starts = [start for start, _ in runs]  # data runs (start, end), sorted, disjoint
        self.runs, self.size = runs, size

    @classmethod
    def everything(cls, size: int) -> Extents:
        return cls([(0, size)] if size else [], size)

    @classmethod
    def from_listing(cls, listing: list, size: int) -> Extents:
        runs: list[tuple[int, int]] = []
        for item in listing:
            start, length = int(item["start"]), int(item["length"])
            if item.get("zero") or length <= 0 or start >= size:
                continue
            end = min(start + length, size)
            if runs and start - runs[-1][1] < MERGE:
                if start < runs[-1][0]:
                    raise ValueError("the extents are not in order")
                runs[-1] = (runs[-1][0], max(end, runs[-1][1]))
            else:
                runs.append((start, end))
        return cls(runs, size)

    @property
    def data_bytes(self) -> int:
        return sum(end - start for start, end in self.runs)

    def run(self, position: int, end: int) -> tuple[int, bool]:
        """Where the data or the zeros at `position` end (at most `end`), and whether they are zeros."""
        index = bisect.bisect_right(self.starts, position) - 1
        if index >= 0 and position < self.runs[index][1]:
            return min(self.runs[index][1], end), False
        following = self.starts[index + 1] if index + 1 < len(self.starts) else self.size
        return min(following, end), True

    def data_end(self, position: int) -> int:
        """The end of the data run holding `position` (the disk's end when extents are unknown)."""
        index = bisect.bisect_right(self.starts, position) - 1
        return self.runs[index][1] if index >= 0 and position < self.runs[index][1] else self.size

"""Which ranges of a disk hold data, when the source can say (ovirt-imageio's `extents`, vSphere's
changed areas since `*`, our KubeVirt reader): zero ranges are not fetched at all.

The listing is ovirt-imageio's: `[{"start": 0, "length": n, "zero": false}, …]`, in order.
Zero ranges shorter than MERGE between data are read rather than skipped, so a fragmented disk
does not turn into thousands of small requests.
"""

from __future__ import annotations

import bisect

MERGE = 1 << 20


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

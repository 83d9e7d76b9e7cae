"""The checkpoint: a small JSON file saying how far the copy got, replaced atomically.

    {"version": 1, "disk": "…", "source": "<source without credentials or query>",
     "sourceKey": "<blake3 of the full source URL or path>", "size": n,
     "offset": n, "prefixBlake3": "<blake3 of the source's first `offset` bytes>",
     "done": false, "blake3": null | "<blake3 of the whole disk>", "updated": <unix seconds>}

It is written only after the target was flushed up to `offset`. `prefixBlake3` is the hash of
the *source* bytes, so a resumed copy can check that the target still holds them.
"""

from __future__ import annotations

import json
import os
import time

import blake3

from mtvweb.pods.transfer.common import log

VERSION = 1


def source_key(locator: str) -> str:
    return blake3.blake3(locator.encode()).hexdigest()[:32]


class Checkpoints:
    def __init__(self, path: str | None, *, disk, source: str, key: str, size: int):
        self.path = path
        self.base = {"version": VERSION, "disk": disk, "source": source, "sourceKey": key, "size": size}
        self.offset = 0  # the last offset saved
        self.broken = False

    def load(self) -> dict | None:
        """The saved checkpoint when it is for this source and size, else None (and why, in the log)."""
        if not self.path or not os.path.exists(self.path):
            return None
        try:
            with open(self.path) as f:
                saved = json.load(f)
        except (OSError, ValueError) as exc:
            log(f"ignoring the unreadable checkpoint {self.path}: {exc}")
            return None
        if not isinstance(saved, dict) or saved.get("version") != VERSION:
            log(f"ignoring the checkpoint {self.path}: unknown format")
            return None
        if saved.get("sourceKey") != self.base["sourceKey"] or saved.get("size") != self.base["size"]:
            log("the checkpoint is for another source or size: starting over")
            return None
        offset = saved.get("offset")
        if not isinstance(offset, int) or not 0 <= offset <= self.base["size"]:
            log(f"ignoring the checkpoint {self.path}: bad offset")
            return None
        return saved

    def save(self, offset: int, prefix_blake3: str, done: bool = False) -> None:
        if not self.path or self.broken:
            return
        record = {**self.base, "offset": offset, "prefixBlake3": prefix_blake3, "done": done,
                  "blake3": prefix_blake3 if done else None, "updated": round(time.time(), 3)}
        temporary = f"{self.path}.tmp"
        try:
            with open(temporary, "w") as f:
                json.dump(record, f)
                f.flush()
                os.fsync(f.fileno())
            os.replace(temporary, self.path)
        except OSError as exc:
            self.broken = True
            log(f"cannot write the checkpoint {self.path} ({exc.strerror}): going on without")
            return
        self.offset = offset

    def remove(self) -> None:
        if self.path and os.path.exists(self.path):
            try:
                os.unlink(self.path)
            except OSError as exc:
                log(f"cannot remove the old checkpoint {self.path}: {exc.strerror}")

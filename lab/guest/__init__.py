"""A small real Debian guest for the lab's sources: see lab/guest/README.md."""

from __future__ import annotations

from pathlib import Path

from lab.guest.build import VARIANTS, build
from lab.guest.content import MARKER

__all__ = ["MARKER", "VARIANTS", "build", "disks"]


def disks() -> dict[str, Path]:
    """{variant: raw image} for bios, uefi and virtio, building them the first time."""
    directory = build()
    return {variant: directory / f"{variant}.raw" for variant in VARIANTS}

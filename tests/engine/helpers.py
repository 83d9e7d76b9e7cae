"""Shared by the engine tests: hash what arrived in the lab cluster's volumes."""

from pathlib import Path

import blake3

CHUNK = 1 << 20


def blake3_of(path: Path, size: int) -> str:
    hasher = blake3.blake3()
    with open(path, "rb") as f:
        remaining = size
        while remaining:
            block = f.read(min(CHUNK, remaining))
            if not block:
                hasher.update(bytes(remaining))  # past the end of a sparse file: zeros
                break
            hasher.update(block)
            remaining -= len(block)
    return hasher.hexdigest()


def claim_file(core, namespace: str, claim: str, volume_mode: str) -> Path:
    """The file holding a claim's bytes in the lab: the Block volume's image, or disk.img in a
    Filesystem volume."""
    pvc = core.read_namespaced_persistent_volume_claim(claim, namespace)
    backing = Path(pvc.metadata.annotations["lab.mtvweb/path"])
    return backing if volume_mode == "Block" else backing / "disk.img"

"""Build the share once under ~/.cache/mtvweb/ova and lay a copy of it into the lab state dir.

The same goes for the validation cases (catalog.CASES), a second, smaller share.

The cached share is keyed by the generator's source and the qemu-img version, so a warm
`lab up` only links files. The state copy is made of hard links (a plain copy across
file systems): tests may add and remove files in it without touching the cache, but must
not rewrite the files it holds in place.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
from pathlib import Path

from lab.ova import catalog
from lab.ova.disks import BuiltDisk, build_disk, qemu_img_version
from lab.ova.manifest import new_manifest, package_entries, plain_file_entry
from lab.ova.package import EXPORT_TIME, disk_file_names, file_stem, write_package
from lab.runtime import CACHE_DIR

OVA_CACHE = CACHE_DIR / "ova"
MANIFEST_NAME = "expected.json"


def generator_digest() -> str:
    digest = hashlib.sha256(qemu_img_version().encode())
    for path in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()[:16]


def _built_disks(package: catalog.Package, cache: Path) -> list[BuiltDisk]:
    if package.vm is None:
        return []
    return [build_disk(disk.spec, cache / "disks", disk.image) for disk in package.vm.disks]


def _generate(share: Path, cache: Path, packages: tuple, other_files: dict) -> dict:
    """Write every package and plain file under share; return the manifest's entries."""
    entries = {}
    for package in packages:
        built = _built_disks(package, cache)
        files = write_package(share, package, built)
        written = {str(f.relative_to(share)): f.stat().st_size for f in files}
        names = disk_file_names(file_stem(package), package.vm) if package.vm else []
        entries.update(package_entries(package, built, written, names))
    for relative, text in other_files.items():
        path = share / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        entries[relative] = plain_file_entry(path.stat().st_size)
    for path in share.rglob("*"):
        os.utime(path, (EXPORT_TIME, EXPORT_TIME))
    return entries


def cached_share(cache: Path = OVA_CACHE, prefix: str = "share") -> tuple[Path, dict]:
    """The generated share directory and its manifest entries, built when missing.
    prefix "share": the main share (catalog.PACKAGES); "cases": the validation cases."""
    packages, other_files = (catalog.CASES, {}) if prefix == "cases" else (catalog.PACKAGES, catalog.OTHER_FILES)
    cache.mkdir(parents=True, exist_ok=True)
    key = generator_digest()
    share, entries_path = cache / f"{prefix}-{key}", cache / f"{prefix}-{key}.json"
    with open(cache / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (share.is_dir() and entries_path.exists()):
            tmp = cache / f"{prefix}-{key}.tmp"
            shutil.rmtree(tmp, ignore_errors=True)
            tmp.mkdir()
            entries = _generate(tmp, cache, packages, other_files)
            shutil.rmtree(share, ignore_errors=True)
            tmp.rename(share)
            entries_path.write_text(json.dumps(entries, indent=1))
            _prune_old_shares(cache, keep=share.name, prefix=prefix)
    return share, json.loads(entries_path.read_text())


def _prune_old_shares(cache: Path, keep: str, prefix: str) -> None:
    for old in cache.glob(f"{prefix}-*"):
        if old.name not in (keep, keep + ".json"):
            if old.is_dir():
                shutil.rmtree(old, ignore_errors=True)
            else:
                old.unlink(missing_ok=True)


def link_or_copy(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


def lay_out(source: Path, target: Path, extra_files: dict[str, Path], entries: dict) -> dict:
    """Replace target with a linked copy of source plus extra_files; write and return the manifest."""
    staging = target.with_name(target.name + ".staging")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    for path in sorted(source.rglob("*")):
        if path.is_file():
            link_or_copy(path, staging / path.relative_to(source))
    for relative, path in extra_files.items():
        link_or_copy(path, staging / relative)
    entries = {**entries, MANIFEST_NAME: plain_file_entry(None)}
    manifest = new_manifest(entries)
    (staging / MANIFEST_NAME).write_text(json.dumps(manifest, indent=1, sort_keys=False) + "\n")
    os.utime(staging / MANIFEST_NAME, (EXPORT_TIME, EXPORT_TIME))
    shutil.rmtree(target, ignore_errors=True)
    staging.rename(target)
    return manifest

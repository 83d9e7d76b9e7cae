"""The `ova` lab part: a share directory of real OVAs, extracted OVFs and broken cases.

No process runs: `up` builds the share once under ~/.cache/mtvweb/ova (see share.py),
lays a hard-linked copy into `<lab dir>/ova-share` and returns where it is, the NFS URL a
user would type for it, and the expected scan result (manifest.py). The validation cases
(catalog.CASES) are laid out the same way into `<lab dir>/ova-cases`. See README.md.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from lab.ova.guest import SHARE_PATH as GUEST_PATH
from lab.ova.guest import build_guest_ova
from lab.ova.share import MANIFEST_NAME, cached_share, lay_out

NFS_SERVER = "127.0.0.1"
LARGE_ENV = "MTVWEB_LAB_OVA_LARGE"


def _vms(share: Path, manifest: dict) -> dict:
    vms = {}
    for relative, entry in manifest["entries"].items():
        if entry["status"] != "vm":
            continue
        vm = entry["vm"]
        vms[vm["name"]] = {
            "path": str(share / relative),
            "relative_path": relative,
            "disks": [
                {"capacity": d["capacity"], "blake3": d["blake3"], "path": str(share / d["path"]), "member": d["member"]}
                for d in vm["disks"]
            ],
        }
    return vms


def _wants_large(ctx) -> bool:
    return os.environ.get(LARGE_ENV) == "1" or bool(ctx.options.get("ova_large"))


def up(ctx) -> dict:
    source, entries = cached_share()
    guest_ova, guest_entry = build_guest_ova()
    extra = {GUEST_PATH: guest_ova}
    entries = {**entries, GUEST_PATH: guest_entry}
    if _wants_large(ctx):
        from lab.ova.large import SHARE_PATH, build_large

        large_path, large_entry = build_large()
        extra[SHARE_PATH] = large_path
        entries = {**entries, SHARE_PATH: large_entry}
    share = ctx.root / "ova-share"
    manifest = lay_out(source, share, extra, entries)
    return {
        **_share_record(share, manifest, source),
        "nfs_server": NFS_SERVER,
        "nfs_path": str(share),
        "nfs_served": False,
        "errors": {p: e["error"] for p, e in manifest["entries"].items() if e["status"] == "error"},
        "cases": _cases(ctx),
        "guest_ova": str(guest_ova),
    }


def _share_record(share: Path, manifest: dict, source: Path) -> dict:
    return {"share_path": str(share), "nfs_url": f"{NFS_SERVER}:{share}", "expected_path": str(share / MANIFEST_NAME),
            "expected": manifest, "vms": _vms(share, manifest), "cache_path": str(source)}


def _cases(ctx) -> dict:
    """The validation cases' share: VMs made to trip the OVA validation rules (catalog.CASES)."""
    source, entries = cached_share(prefix="cases")
    share = ctx.root / "ova-cases"
    return _share_record(share, lay_out(source, share, {}, entries), source)


def _share_healthy(record: dict, source: Path) -> bool:
    share = Path(record["share_path"])
    if record.get("cache_path") != str(source) or not (share / MANIFEST_NAME).is_file():
        return False
    if json.loads((share / MANIFEST_NAME).read_text()) != record["expected"]:
        return False
    for relative, entry in record["expected"]["entries"].items():
        path = share / relative
        if not path.is_file() or (entry["size"] is not None and path.stat().st_size != entry["size"]):
            return False
    return True


def healthy(ctx, record: dict) -> bool:
    """Every file of both manifests is still there with its size, and the generator has not changed."""
    if _wants_large(ctx) != ("large-4g" in record["vms"]) or "cases" not in record or "mtv-guest-bios" not in record["vms"]:
        return False
    if record.get("guest_ova") != str(build_guest_ova()[0]):  # the guest was rebuilt: its bytes changed
        return False
    return (_share_healthy(record, cached_share()[0])
            and _share_healthy(record["cases"], cached_share(prefix="cases")[0]))

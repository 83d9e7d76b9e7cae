"""The OVA share scanner (`python -m mtvweb.pods.ova_scan`) called in process on a share of its own,
hard-linked from the lab's OVA files (no cluster needed): the depth limits at their boundaries."""

import os
from pathlib import Path

import pytest

from mtvweb.pods import ova_scan

pytestmark = pytest.mark.lab


def share_of(tmp_path, ova_lab, links: dict[str, str]) -> Path:
    """A share holding the lab's files (values) at the given places (keys)."""
    share = tmp_path / "share"
    for place, lab_file in links.items():
        (share / place).parent.mkdir(parents=True, exist_ok=True)
        os.link(Path(ova_lab["share_path"]) / lab_file, share / place)
    return share


def test_archives_are_read_down_to_one_sub_folder_broken_or_not(tmp_path, ova_lab):
    """share/x.ova and share/a/x.ova are read; share/a/b/x.ova is too deep, and says so even when it
    is broken (too deep is what the user must fix first)."""
    share = share_of(tmp_path, ova_lab, {
        "broken.ova": "broken-not-a-tar.ova",
        "a/broken.ova": "broken-not-a-tar.ova",
        "a/b/broken.ova": "broken-not-a-tar.ova",
        "a/alpine.ova": "alpine-bios.ova",
        "a/b/alpine.ova": "alpine-bios.ova",
    })
    entries = ova_scan.scan(str(share))["entries"]
    assert entries["broken.ova"]["error"] == entries["a/broken.ova"]["error"] == "invalid-archive"
    assert entries["a/b/broken.ova"] == {"status": "ignored", "reason": "ova-too-deep",
                                         "size": os.path.getsize(share / "a/b/broken.ova")}
    assert entries["a/alpine.ova"]["status"] == "vm" and entries["a/alpine.ova"]["vm"]["name"] == "alpine-bios"
    assert {k: entries["a/b/alpine.ova"].get(k) for k in ("status", "reason", "name")} == {
        "status": "ignored", "reason": "ova-too-deep", "name": "alpine-bios"}


def test_extracted_descriptors_are_read_down_to_two_sub_folders(tmp_path, ova_lab):
    files = {"rhel8-extracted.ovf", "rhel8-extracted.mf", "rhel8-extracted-disk1.vmdk"}
    share = share_of(tmp_path, ova_lab, {f"{folder}/{name}": name for folder in ("a/b", "a/b/c") for name in files})
    entries = ova_scan.scan(str(share))["entries"]
    assert entries["a/b/rhel8-extracted.ovf"]["status"] == "vm"
    assert entries["a/b/rhel8-extracted-disk1.vmdk"]["of"] == "a/b/rhel8-extracted.ovf"
    assert {k: entries["a/b/c/rhel8-extracted.ovf"].get(k) for k in ("status", "reason", "name")} == {
        "status": "ignored", "reason": "ovf-too-deep", "name": "rhel8-extracted"}

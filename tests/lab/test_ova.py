"""The OVA lab part: a share of real OVAs/OVFs whose expected.json tells what a scanner must find.

The checks here read the share on their own — tarfile, xml.etree, the VMDK header,
qemu-img and ovirt-imageio — the way a product scanner would, and compare with the
manifest, so a wrong manifest cannot pass unnoticed.
"""

import hashlib
import json
import os
import struct
import subprocess
import sys
import tarfile
import time
import xml.etree.ElementTree as ET
from pathlib import Path, PurePosixPath

import blake3
from ovirt_imageio import client as imageio_client

from lab.guest.build import GUEST_CACHE

ROOT = Path(__file__).resolve().parents[2]
OVF_NS = {"http://schemas.dmtf.org/ovf/envelope/1", "http://schemas.dmtf.org/ovf/envelope/2"}
RASD = "{http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_ResourceAllocationSettingData}"
VMW = "{http://www.vmware.com/schema/ovf}"
UNITS = {"byte": 1, "byte * 2^20": 1 << 20, "byte * 2^30": 1 << 30}
CONTROLLER_BY_SUBTYPE = {"lsilogic": "scsi", "VirtualSCSI": "pvscsi", "vmware.sata.ahci": "sata",
                         "vmware.nvme.controller": "nvme"}
ERROR_KINDS = {"truncated-archive", "invalid-archive", "invalid-ovf", "missing-disk", "disk-size-mismatch",
               "multiple-ovf-in-folder"}


# --- a small scanner written from the guide's §2.8 rules and the OVF format ------------------------


class ScanError(Exception):
    def __init__(self, kind):
        super().__init__(kind)
        self.kind = kind


def _local(tag):
    return tag.rsplit("}", 1)[-1]


def _ovf_attr(element, name):
    for key, value in element.attrib.items():
        if _local(key) == name and (key.startswith("{") and key[1:].split("}")[0] in OVF_NS):
            return value
    return None


def parse_descriptor(data: bytes) -> dict:
    try:
        root = ET.fromstring(data)
    except ET.ParseError:
        raise ScanError("invalid-ovf") from None
    ns = root.tag[1:].split("}")[0]
    if _local(root.tag) != "Envelope" or ns not in OVF_NS:
        raise ScanError("invalid-ovf")
    q = lambda name: f"{{{ns}}}{name}"  # noqa: E731
    files = {_ovf_attr(f, "id"): _ovf_attr(f, "href") for f in root.iter(q("File"))}
    disks = {}
    for d in root.iter(q("Disk")):
        units = _ovf_attr(d, "capacityAllocationUnits") or "byte"
        disks[_ovf_attr(d, "diskId")] = {"file": files[_ovf_attr(d, "fileRef")],
                                         "capacity": int(_ovf_attr(d, "capacity")) * UNITS[units]}
    system = root.find(q("VirtualSystem"))
    hardware = system.find(q("VirtualHardwareSection"))
    vm = {"name": system.find(q("Name")).text, "ovf_version": "2.0" if ns.endswith("/2") else "1.0",
          "os_type": system.find(q("OperatingSystemSection")).get(f"{VMW}osType"),
          "disks": [], "nics": [], "firmware": "bios", "secure_boot": False}
    controllers = {}
    items = [{_local(c.tag): (c.text or "") for c in item} for item in hardware.iter(q("Item"))]
    for item in items:
        kind = item.get("ResourceType")
        if kind == "5":
            controllers[item["InstanceID"]] = "ide"
        elif kind in ("6", "20"):
            controllers[item["InstanceID"]] = CONTROLLER_BY_SUBTYPE[item["ResourceSubType"]]
    for item in items:
        kind = item.get("ResourceType")
        if kind == "3":
            vm["cpu"] = int(item["VirtualQuantity"])
            vm["cores_per_socket"] = int(item.get("CoresPerSocket") or 1)
        elif kind == "4":
            vm["memory_mib"] = int(item["VirtualQuantity"]) * UNITS[item["AllocationUnits"]] >> 20
        elif kind == "17":
            disk = disks[item["HostResource"].rsplit("/", 1)[-1]]
            vm["disks"].append({**disk, "controller": controllers[item["Parent"]]})
        elif kind == "10":
            vm["nics"].append({"name": item["ElementName"], "network": item["Connection"],
                               "model": item["ResourceSubType"], "mac": item.get("Address")})
    for config in hardware.findall(f"{VMW}Config"):
        if config.get(f"{VMW}key") == "firmware":
            vm["firmware"] = config.get(f"{VMW}value")
        elif config.get(f"{VMW}key") == "bootOptions.efiSecureBootEnabled":
            vm["secure_boot"] = config.get(f"{VMW}value") == "true"
    return vm


def vmdk_capacity(header: bytes) -> int:
    assert header[:4] == b"KDMV", "not a sparse VMDK"
    return struct.unpack_from("<Q", header, 12)[0] * 512


def read_ova(path: Path) -> dict:
    if not tarfile.is_tarfile(path):
        raise ScanError("invalid-archive")
    try:
        with tarfile.open(path) as tar:
            members = {m.name: m for m in tar.getmembers()}  # raises on a member cut short
            descriptor = next(m for n, m in members.items() if n.endswith(".ovf"))
            vm = parse_descriptor(tar.extractfile(descriptor).read())
            for disk in vm["disks"]:
                if disk["file"] not in members:
                    raise ScanError("missing-disk")
                if vmdk_capacity(tar.extractfile(members[disk["file"]]).read(512)) != disk["capacity"]:
                    raise ScanError("disk-size-mismatch")
    except tarfile.ReadError:
        raise ScanError("truncated-archive") from None
    return vm


def read_ovf(path: Path) -> dict:
    vm = parse_descriptor(path.read_bytes())
    for disk in vm["disks"]:
        disk_path = path.parent / disk["file"]
        if not disk_path.exists():
            raise ScanError("missing-disk")
        with open(disk_path, "rb") as f:
            if vmdk_capacity(f.read(512)) != disk["capacity"]:
                raise ScanError("disk-size-mismatch")
    return vm


def scan(share: Path) -> dict:
    """{relative path: ("vm", description) | ("error", kind)} per guide §2.8."""
    found = {}
    for path in sorted(share.rglob("*")):
        relative = path.relative_to(share)
        depth = len(relative.parts)
        if path.suffix == ".ova" and depth <= 2:
            reader = read_ova
        elif path.suffix == ".ovf" and depth <= 3:
            if len(list(path.parent.glob("*.ovf"))) > 1:
                found[str(relative)] = ("error", "multiple-ovf-in-folder")
                continue
            reader = read_ovf
        else:
            continue
        try:
            found[str(relative)] = ("vm", reader(path))
        except ScanError as exc:
            found[str(relative)] = ("error", exc.kind)
    return found


# --- tests -----------------------------------------------------------------------------------------


def lab_up(env) -> dict:
    out = subprocess.run([sys.executable, "-m", "lab", "up", "--parts", "ova"], cwd=ROOT, env=env, check=True,
                         stdout=subprocess.PIPE, text=True, timeout=600)
    return json.loads(Path(out.stdout.strip().splitlines()[-1]).read_text())["ova"]


def test_lab_up_from_nothing_builds_the_share_then_reuses_and_repairs_it(tmp_path):
    env = {**os.environ, "MTVWEB_LAB_DIR": str(tmp_path / "lab"), "XDG_CACHE_HOME": str(tmp_path / "cache"),
           "MTVWEB_LAB_GUEST_CACHE": str(GUEST_CACHE)}  # the real guest is a build of its own
    env.pop("MTVWEB_LAB_OVA_LARGE", None)
    started = time.monotonic()
    record = lab_up(env)
    cold = time.monotonic() - started
    share = Path(record["share_path"])
    assert share == tmp_path / "lab" / "ova-share"
    assert record["nfs_url"] == f"127.0.0.1:{share}"
    assert Path(record["cache_path"]).is_relative_to(tmp_path / "cache" / "mtvweb" / "ova")
    assert json.loads(Path(record["expected_path"]).read_text()) == record["expected"]
    assert {"alpine-bios", "win2019-efi", "photon-ovf2", "rhel8-extracted", "debian-sub1",
            "ubuntu-sub2", "mtv-guest-bios"} == set(record["vms"])
    assert cold < 60, f"cold generation took {cold:.0f}s"

    started = time.monotonic()
    assert lab_up(env) == record  # healthy: kept as it is
    assert time.monotonic() - started < cold

    (share / "dept-a" / "win2019-efi.ova").unlink()
    (share / "stray.ova").write_bytes(b"x")
    assert lab_up(env) == record  # unhealthy: laid out again from the cache
    assert (share / "dept-a" / "win2019-efi.ova").stat().st_size == record["expected"]["entries"][
        "dept-a/win2019-efi.ova"]["size"]
    assert not (share / "stray.ova").exists()


def test_manifest_covers_every_file_in_the_share(ova_lab):
    share = Path(ova_lab["share_path"])
    on_disk = {str(p.relative_to(share)): p.stat().st_size for p in share.rglob("*") if p.is_file()}
    entries = ova_lab["expected"]["entries"]
    assert set(on_disk) == set(entries)
    for relative, entry in entries.items():
        if entry["size"] is not None:
            assert on_disk[relative] == entry["size"], relative
        assert entry["status"] in {"vm", "error", "ignored"}
        assert os.stat(share / relative).st_mtime < time.time() - 3600  # not "still being copied"


def test_layout_exercises_every_scanning_rule_and_broken_case(ova_lab):
    entries = ova_lab["expected"]["entries"]
    seen = set()
    for relative, entry in entries.items():
        path = PurePosixPath(relative)
        depth = len(path.parts)
        if path.suffix == ".ova":
            assert (entry["status"] != "ignored") == (depth <= 2), relative
            seen.add(("ova", depth, entry["status"] != "ignored"))
        elif path.suffix == ".ovf":
            assert (entry["status"] != "ignored") == (depth <= 3), relative
            seen.add(("ovf", depth, entry["status"] != "ignored"))
    assert {("ova", 1, True), ("ova", 2, True), ("ova", 3, False),
            ("ovf", 1, True), ("ovf", 2, True), ("ovf", 3, True), ("ovf", 4, False)} <= seen
    assert {e["error"] for e in entries.values() if e["status"] == "error"} == ERROR_KINDS
    assert ova_lab["errors"] == {p: e["error"] for p, e in entries.items() if e["status"] == "error"}
    two = [p for p, e in entries.items() if e.get("error") == "multiple-ovf-in-folder"]
    assert len(two) == 2 and PurePosixPath(two[0]).parent == PurePosixPath(two[1]).parent
    assert {e["vm"]["ovf_version"] for e in entries.values() if e["status"] == "vm"} == {"1.0", "2.0"}
    assert {e["vm"]["firmware"] for e in entries.values() if e["status"] == "vm"} == {"bios", "efi"}


def test_independent_scan_agrees_with_the_manifest(ova_lab):
    share = Path(ova_lab["share_path"])
    entries = ova_lab["expected"]["entries"]
    found = scan(share)
    assert set(found) == {p for p, e in entries.items() if e["status"] != "ignored"}
    for relative, (status, result) in found.items():
        entry = entries[relative]
        assert status == entry["status"], relative
        if status == "error":
            assert result == entry["error"], relative
            continue
        expected = entry["vm"]
        for key in ("name", "os_type", "cpu", "cores_per_socket", "memory_mib", "firmware", "secure_boot",
                    "ovf_version", "nics"):
            assert result[key] == expected[key], (relative, key)
        assert [(d["file"], d["capacity"], d["controller"]) for d in result["disks"]] == [
            (d["file"], d["capacity"], d["controller"]) for d in expected["disks"]]
        assert ova_lab["vms"][expected["name"]]["path"] == str(share / relative)


def test_ova_manifest_lines_match_the_members(ova_lab):
    with tarfile.open(ova_lab["vms"]["win2019-efi"]["path"]) as tar:
        members = tar.getmembers()
        names = [m.name for m in members]
        assert names[0].endswith(".ovf") and names[1].endswith(".mf")
        lines = tar.extractfile(members[1]).read().decode().splitlines()
        digests = {m.name: hashlib.sha256(tar.extractfile(m).read()).hexdigest() for m in members if m is not members[1]}
    assert lines == [f"SHA256({name})= {digest}" for name, digest in digests.items()]


def _raw_blake3(qemu_source: str, tmp_path: Path) -> str:
    raw = tmp_path / "disk.raw"
    subprocess.run(["qemu-img", "convert", "-O", "raw", qemu_source, str(raw)], check=True, timeout=300)
    hasher = blake3.blake3(max_threads=blake3.blake3.AUTO)
    hasher.update_mmap(raw)
    raw.unlink()
    return hasher.hexdigest()


def test_every_vm_disk_converts_to_raw_with_the_recorded_blake3(ova_lab, tmp_path):
    for name, vm in ova_lab["vms"].items():
        for disk in vm["disks"]:
            if disk["member"]:
                # ovirt-imageio reads a disk inside the tar in place and tells qemu where it is.
                info = imageio_client.info(disk["path"], member=disk["member"])
                with tarfile.open(disk["path"]) as tar:
                    member = tar.getmember(disk["member"])
                assert (info["member-offset"], info["member-size"]) == (member.offset_data, member.size)
                assert info["format"] == "vmdk" and info["virtual-size"] == disk["capacity"]
                source = info["filename"]
            else:
                source = disk["path"]
            assert _raw_blake3(source, tmp_path) == disk["blake3"], (name, disk)

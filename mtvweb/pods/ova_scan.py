"""Entry point of the OVA scanner Pod: `python -m mtvweb.pods.ova_scan /ova`.

Runs inside a Pod that mounts the provider's NFS share at /ova, without Django and with the
standard library only. Prints ONE JSON document (one line) on stdout, read back from the
Pod's log by providers/adapters/ova/client.py (with --compress: gzipped, base64, prefixed):

    {"format": 1, "root": "/ova", "elapsed_seconds": 0.4,
     "entries": {"<path relative to the share>": {"status": "vm" | "error" | "ignored", "size": bytes, ...}}}

- "vm": `vm` holds the OVF facts (name, OS, CPU, memory, firmware, disks with the file and
  tar member holding their bytes, NICs, networks, devices).
- "error": `error` is a kind (invalid-archive, invalid-ovf, truncated-archive, missing-disk,
  incomplete-disk, disk-size-mismatch, multiple-ovf-in-folder, multiple-virtual-systems,
  unreadable), `detail` says what is wrong and what to do, `name` is the VM's when known.
- "ignored": `reason` is ova-too-deep, ovf-too-deep, file-of (a disk, manifest or NVRAM of
  the descriptor named in `of`) or not-an-appliance.

Where appliances are looked for (guide §2.8): `.ova` archives in the share root and one
sub-folder down (depth <= 2, counting path components from the root), extracted `.ovf`
descriptors down to two sub-folders (depth <= 3), one `.ovf` per folder. Names starting
with "." (e.g. a filer's .snapshot folder) are skipped. A broken file never stops the scan.
If the root itself cannot be read the document holds `fatal` instead and the exit code is 2.
"""

from __future__ import annotations

import argparse
import base64
import gzip
import json
import os
import re
import struct
import sys
import tarfile
import time
import xml.etree.ElementTree as ET
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import PurePosixPath

FORMAT = 1
COMPRESSED = "gzip+base64:"
OVA_MAX_DEPTH = 2
OVF_MAX_DEPTH = 3
MAX_DESCRIPTOR = 16 << 20
MiB = 1 << 20
SECTOR = 512
READERS = 8  # packages read in parallel: NFS round trips, not CPU, bound a scan
UNITS = {"kilobytes": 1 << 10, "kb": 1 << 10, "megabytes": 1 << 20, "mb": 1 << 20,
         "gigabytes": 1 << 30, "gb": 1 << 30, "terabytes": 1 << 40, "tb": 1 << 40}
RE_EXPORT = "Export the VM again from vSphere (File > Export OVF Template) and copy the complete file to the share."


class Broken(Exception):
    """A package that cannot be migrated: `kind` and a `detail` that says what to do."""

    def __init__(self, kind: str, detail: str, name: str | None = None):
        super().__init__(detail)
        self.kind, self.detail, self.name = kind, detail, name


# --- OVF descriptors ------------------------------------------------------------------------


def local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def attr(element, name: str, default=None):
    for key, value in element.attrib.items():
        if local(key) == name:
            return value
    return default


def child_text(element, name: str, default: str = "") -> str:
    found = element.find("{*}" + name) if element is not None else None
    return (found.text or "").strip() if found is not None else default


def unit_bytes(units: str | None) -> int:
    text = (units or "byte").replace(" ", "").lower()
    if text in ("byte", "bytes"):
        return 1
    if match := re.fullmatch(r"bytes?\*(\d+)\^(\d+)", text):
        return int(match[1]) ** int(match[2])
    if match := re.fullmatch(r"bytes?\*(\d+)", text):
        return int(match[1])
    if text in UNITS:
        return UNITS[text]
    raise Broken("invalid-ovf", f'the descriptor uses allocation units "{units}", which are not understood. {RE_EXPORT}')


def integer(value, what: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise Broken("invalid-ovf", f'the descriptor gives {what} as "{value}", not a number. {RE_EXPORT}') from None


def hardware_items(hardware) -> list[dict]:
    """Every Item (also OVF 2 StorageItem/EthernetPortItem) as {child name: text, "config": {...}}."""
    items = []
    for element in hardware if hardware is not None else []:
        if local(element.tag) not in ("Item", "StorageItem", "EthernetPortItem"):
            continue
        fields = {"config": {}}
        for child in element:
            if local(child.tag) == "Config":
                fields["config"][attr(child, "key")] = attr(child, "value")
            else:
                fields[local(child.tag)] = (child.text or "").strip()
        items.append(fields)
    return items


def controller_kind(item: dict) -> str:
    kind, subtype = item.get("ResourceType"), item.get("ResourceSubType", "").lower()
    if kind == "5":
        return "ide"
    if kind == "6":
        return "pvscsi" if subtype == "virtualscsi" else "scsi"
    if "sata" in subtype or "ahci" in subtype:
        return "sata"
    if "nvme" in subtype:
        return "nvme"
    return "unknown"


def parse_descriptor(data: bytes) -> dict:
    """The VM an OVF descriptor describes; disks carry `href` (the file named in References)."""
    try:
        envelope = ET.fromstring(data)
    except ET.ParseError as exc:
        raise Broken("invalid-ovf", f"the descriptor is not valid XML ({exc}). {RE_EXPORT}") from None
    if local(envelope.tag) != "Envelope":
        raise Broken("invalid-ovf", f"the descriptor is XML but not an OVF Envelope. {RE_EXPORT}")
    systems = envelope.findall(".//{*}VirtualSystem")
    if not systems:
        raise Broken("invalid-ovf", f"the descriptor describes no VirtualSystem. {RE_EXPORT}")
    name = child_text(systems[0], "Name") or attr(systems[0], "id", "")
    if len(systems) > 1:
        raise named(Broken("multiple-virtual-systems", f"the descriptor holds {len(systems)} virtual machines "
                           "(a vApp); export each VM on its own."), name)
    try:
        return describe(envelope, systems[0], name)
    except Broken as exc:
        raise named(exc, name) from None


def describe(envelope, system, name: str) -> dict:
    files = {attr(f, "id"): f for f in envelope.iterfind("{*}References/{*}File")}
    sections = {attr(d, "diskId"): d for d in envelope.iterfind("{*}DiskSection/{*}Disk")}
    hardware = system.find("{*}VirtualHardwareSection")
    items = hardware_items(hardware)
    config = {attr(c, "key"): attr(c, "value") for c in (hardware if hardware is not None else [])
              if local(c.tag) in ("Config", "ExtraConfig")}
    os_section = system.find("{*}OperatingSystemSection")
    vm = {
        "name": name, "virtual_system_id": attr(system, "id", ""),
        "os_type": attr(os_section, "osType", "") if os_section is not None else "",
        "os_description": child_text(os_section, "Description"),
        "ovf_version": attr(envelope, "version") or ("2.0" if envelope.tag.startswith("{http://schemas.dmtf.org/ovf/envelope/2}") else "1.0"),
        "virtual_system_type": child_text(hardware.find("{*}System") if hardware is not None else None, "VirtualSystemType"),
        "vmware": any("vmware.com" in value for value in _namespaces(envelope)),
        "cpu": 0, "cpu_units": "", "cores_per_socket": 1, "memory_mib": 0, "memory_units": "",
        "firmware": (config.get("firmware") or "bios").lower(),
        "secure_boot": (config.get("bootOptions.efiSecureBootEnabled") or "").lower() == "true",
        "cpu_hot_add": (config.get("cpuHotAddEnabled") or "").lower() == "true",
        "cpu_hot_remove": (config.get("cpuHotRemoveEnabled") or "").lower() == "true",
        "memory_hot_add": (config.get("memoryHotAddEnabled") or "").lower() == "true",
        "disks": [], "nics": [], "devices": [],
        "networks": [{"name": attr(n, "name", ""), "description": child_text(n, "Description")}
                     for n in envelope.iterfind("{*}NetworkSection/{*}Network")],
        "nvram_href": None,
    }
    nvram = config.get("nvram") or ""
    if nvram.startswith("ovf:/file/") and nvram[10:] in files:
        vm["nvram_href"] = attr(files[nvram[10:]], "href")
    controllers = {i.get("InstanceID"): i for i in items if i.get("ResourceType") in ("5", "6", "20")}
    used_disks = set()
    for item in items:
        kind = item.get("ResourceType")
        if kind == "3":
            vm["cpu"] = integer(item.get("VirtualQuantity"), "the CPU count")
            vm["cpu_units"] = item.get("AllocationUnits", "")
            vm["cores_per_socket"] = integer(item.get("CoresPerSocket") or 1, "the cores per socket")
        elif kind == "4":
            vm["memory_units"] = item.get("AllocationUnits") or "byte * 2^20"
            memory = integer(item.get("VirtualQuantity"), "the memory size") * unit_bytes(vm["memory_units"])
            vm["memory_mib"] = memory // MiB
        elif kind == "17":
            disk_id = item.get("HostResource", "").rsplit("/", 1)[-1]
            used_disks.add(disk_id)
            vm["disks"].append(disk_facts(sections.get(disk_id), files, item, controllers.get(item.get("Parent"))))
        elif kind == "10":
            mac = item.get("Address") or None
            vm["nics"].append({"name": item.get("ElementName", ""), "network": item.get("Connection", ""),
                               "model": item.get("ResourceSubType", ""), "mac": mac.lower() if mac else None})
        elif kind not in ("5", "6", "20"):
            device = re.sub(r"[\d\s]+$", "", item.get("ElementName", "")) or item.get("Description") or "Unknown"
            vm["devices"].append({"kind": device})
    for disk_id, section in sections.items():  # disks no hardware item attaches: still the VM's
        if disk_id not in used_disks:
            vm["disks"].append(disk_facts(section, files, {}, None))
    return vm


def _namespaces(envelope) -> set[str]:
    found = {envelope.tag.partition("}")[0]}
    for element in envelope.iter():
        found.update(k.partition("}")[0] for k in element.attrib if k.startswith("{"))
        found.add(element.tag.partition("}")[0])
    return found


def disk_facts(section, files: dict, item: dict, controller: dict | None) -> dict:
    if section is None:
        raise Broken("invalid-ovf", f'the descriptor attaches {item.get("HostResource")}, which its DiskSection '
                     f"does not define. {RE_EXPORT}")
    file_ref = attr(section, "fileRef")
    if file_ref not in files:
        raise Broken("invalid-ovf", f"disk {attr(section, 'diskId')} has no file in the descriptor's References "
                     f"(an empty disk cannot be migrated). {RE_EXPORT}")
    units = attr(section, "capacityAllocationUnits") or "byte"
    populated = attr(section, "populatedSize")
    return {
        "file": attr(files[file_ref], "href"),
        "declared_size": integer(attr(files[file_ref], "size") or 0, "a file size"),
        "capacity": integer(attr(section, "capacity"), "a disk capacity") * unit_bytes(units),
        "capacity_units": units,
        "populated_size": integer(populated, "a populated size") if populated is not None else None,
        "ovf_format": attr(section, "format", ""),
        "disk_id": attr(section, "diskId"), "file_ref": file_ref,
        "element_name": item.get("ElementName", ""),
        "controller": controller_kind(controller) if controller else "unknown",
        "controller_model": controller.get("ResourceSubType", "") if controller else "",
        "address_on_parent": item.get("AddressOnParent", ""),
    }


# --- disk images ----------------------------------------------------------------------------


def image_info(f, offset: int) -> tuple[str, int | None]:
    """(format, capacity in bytes) from the first bytes of a disk image (VMDK, qcow2), else ("raw", None)."""
    f.seek(offset)
    head = f.read(SECTOR)
    if head[:4] == b"KDMV" and len(head) >= 44:
        capacity, _grain, desc_offset, desc_size = struct.unpack_from("<QQQQ", head, 12)
        create_type = "vmdkSparse"
        if desc_offset and desc_size:
            f.seek(offset + desc_offset * SECTOR)
            text = f.read(min(desc_size * SECTOR, 65536)).decode("latin-1")
            if match := re.search(r'createType\s*=\s*"([^"]+)"', text):
                create_type = match[1]
        return create_type, capacity * SECTOR
    if head.startswith(b"# Disk DescriptorFile"):
        f.seek(offset)
        text = f.read(65536).decode("latin-1")
        match = re.search(r'createType\s*=\s*"([^"]+)"', text)
        sectors = sum(int(n) for n in re.findall(r"^\s*RW\s+(\d+)\s", text, re.M))
        return (match[1] if match else "vmdk"), sectors * SECTOR
    if head[:4] == b"QFI\xfb" and len(head) >= 32:
        return "qcow2", struct.unpack_from(">Q", head, 24)[0]
    return "raw", None


def check_disks(vm: dict, where: str, open_disk) -> None:
    """Fill each disk's format and file size; raise Broken for a missing, short or mis-sized disk.

    open_disk(href) -> (file object, offset, size) or None when the file is absent.
    """
    for number, disk in enumerate(vm["disks"], start=1):
        found = open_disk(disk["file"])
        if found is None:
            raise Broken("missing-disk", f"the descriptor references {disk['file']}, which is not in the {where}. "
                         f"Copy the complete export (every file the .ovf names) to the share.")
        f, offset, size = found
        with f:
            if disk["declared_size"] and size < disk["declared_size"]:
                raise Broken("incomplete-disk", f"{disk['file']} holds {size} bytes, the descriptor says "
                             f"{disk['declared_size']}: the copy is incomplete. Copy it again.")
            disk["format"], actual = image_info(f, offset)
        if actual is not None and actual != disk["capacity"]:
            raise Broken("disk-size-mismatch", f"the descriptor gives disk {number} ({disk['file']}) a capacity of "
                         f"{disk['capacity']} bytes, its image holds {actual} bytes. {RE_EXPORT}")
        disk["file_size"] = size


# --- packages -------------------------------------------------------------------------------


@dataclass
class Result:
    entry: dict
    claims: dict[str, str] = field(default_factory=dict)  # files of an extracted package → its path


def read_ova(path: str) -> tuple[dict, bool, int]:
    """({member name: (data offset, size)}, truncated?, file size) of a tar archive."""
    size = os.path.getsize(path)
    members = {}
    try:
        with tarfile.open(path, "r:") as tar:
            for member in tar:
                if member.isfile():
                    members.setdefault(member.name.removeprefix("./"), (member.offset_data, member.size))
    except tarfile.ReadError:
        if not members:
            raise Broken("invalid-archive", "the file is not a tar archive (an .ova must be an uncompressed tar "
                         f"made by vSphere's export). {RE_EXPORT}") from None
    truncated = any(offset + length > size for offset, length in members.values())
    return members, truncated, size


def scan_ova(root: str, rel: str, too_deep: bool) -> Result:
    path = os.path.join(root, rel)
    members, truncated, size = read_ova(path)
    descriptor = next((m for m in members if m.lower().endswith(".ovf")), None)
    if descriptor is None:
        raise Broken("invalid-archive", f"the archive holds no .ovf descriptor. {RE_EXPORT}")
    offset, length = members[descriptor]
    vm, problem = None, None
    if length > MAX_DESCRIPTOR:
        problem = Broken("invalid-ovf", f"the descriptor is {length} bytes, too large to be an OVF. {RE_EXPORT}")
    else:
        with open(path, "rb") as f:
            f.seek(offset)
            try:
                vm = parse_descriptor(f.read(length))
            except Broken as exc:
                problem = exc
    name = vm["name"] if vm else (problem.name if problem else None)
    if too_deep:
        return Result(ignored("ova-too-deep", size, name))
    if truncated:
        raise named(Broken("truncated-archive", f"the archive is {size} bytes but its members need more: the file "
                           "was cut short (an interrupted copy or export). Copy it again."), name)
    if problem:
        raise named(problem, name)

    def open_member(href):
        if href not in members:
            return None
        return open(path, "rb"), members[href][0], members[href][1]

    try:
        check_disks(vm, "archive", open_member)
    except Broken as exc:
        raise named(exc, name) from None
    for disk in vm["disks"]:
        disk.update(path=rel, member=disk["file"])
    nvram = vm.pop("nvram_href")
    vm["nvram"] = {"path": rel, "member": nvram} if nvram in members else None
    return Result({"status": "vm", "size": size, "vm": vm})


def scan_ovf(root: str, rel: str, too_deep: bool, crowded: bool) -> Result:
    path = os.path.join(root, rel)
    folder = PurePosixPath(rel).parent
    size = os.path.getsize(path)
    stem = PurePosixPath(rel).stem
    claims = {str(folder / f"{stem}{suffix}"): rel for suffix in (".mf", ".cert")}
    vm, problem = None, None
    try:
        if size > MAX_DESCRIPTOR:
            raise Broken("invalid-ovf", f"the descriptor is {size} bytes, too large to be an OVF. {RE_EXPORT}")
        with open(path, "rb") as f:
            vm = parse_descriptor(f.read())
        claims.update({str(folder / d["file"]): rel for d in vm["disks"]})
        if vm["nvram_href"]:
            claims[str(folder / vm["nvram_href"])] = rel
    except Broken as exc:
        problem = exc
    name = vm["name"] if vm else (problem.name if problem else None)
    if too_deep:
        return Result(ignored("ovf-too-deep", size, name), claims)
    if crowded:
        problem = Broken("multiple-ovf-in-folder", "the folder holds more than one .ovf file, so it is not clear "
                         "which files belong to which VM. Put each extracted VM in a folder of its own.")
    if problem:
        return Result(error(problem, size, name), claims)

    def open_file(href):
        disk_path = os.path.join(root, str(folder), href)
        return (open(disk_path, "rb"), 0, os.path.getsize(disk_path)) if os.path.isfile(disk_path) else None

    try:
        check_disks(vm, "folder", open_file)
    except Broken as exc:
        return Result(error(exc, size, name), claims)
    for disk in vm["disks"]:
        disk.update(path=str(folder / disk["file"]), member=None)
    nvram = vm.pop("nvram_href")
    nvram_path = str(folder / nvram) if nvram else None
    vm["nvram"] = {"path": nvram_path, "member": None} if nvram and os.path.isfile(os.path.join(root, nvram_path)) else None
    return Result({"status": "vm", "size": size, "vm": vm}, claims)


def named(exc: Broken, name: str | None) -> Broken:
    exc.name = name
    return exc


def error(exc: Broken, size: int, name: str | None = None) -> dict:
    entry = {"status": "error", "error": exc.kind, "detail": exc.detail, "size": size}
    name = name or exc.name
    return {**entry, "name": name} if name else entry


def ignored(reason: str, size: int | None, name: str | None = None, of: str | None = None) -> dict:
    entry = {"status": "ignored", "reason": reason, "size": size}
    if name:
        entry["name"] = name
    if of:
        entry["of"] = of
    return entry


# --- the share ------------------------------------------------------------------------------


def walk(root: str, errors: dict) -> list[str]:
    files = []

    def unreadable(exc: OSError):
        rel = os.path.relpath(exc.filename, root)
        errors[rel + "/"] = {"status": "error", "error": "unreadable", "size": None,
                             "detail": f"the folder cannot be read ({exc.strerror}): make it readable to the "
                                       f"scanner (uid {os.getuid()}) on the NFS server."}

    for folder, dirs, names in os.walk(root, onerror=unreadable):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        base = os.path.relpath(folder, root)
        for name in sorted(names):
            if not name.startswith(".") and os.path.isfile(os.path.join(folder, name)):
                files.append(name if base == "." else f"{base}/{name}")
    return files


def scan_package(root: str, rel: str, crowded_folders: set) -> Result:
    depth = rel.count("/") + 1
    is_ova = rel.lower().endswith(".ova")
    size = None
    try:
        size = os.path.getsize(os.path.join(root, rel))
        if is_ova:
            return scan_ova(root, rel, depth > OVA_MAX_DEPTH)
        too_deep = depth > OVF_MAX_DEPTH
        return scan_ovf(root, rel, too_deep, not too_deep and str(PurePosixPath(rel).parent) in crowded_folders)
    except Broken as exc:
        if is_ova and depth > OVA_MAX_DEPTH:  # not read anyway: too deep is what the user must know
            return Result(ignored("ova-too-deep", size))
        return Result(error(exc, size))
    except OSError as exc:
        return Result(error(Broken("unreadable", f"reading the file failed ({exc.strerror}): check that it is "
                                   f"readable to the scanner (uid {os.getuid()}) on the NFS server."), size))
    except Exception as exc:  # noqa: BLE001 - one odd file must not cost the whole share its inventory
        return Result(error(Broken("unreadable", f"the scanner could not read it ({type(exc).__name__}: {exc}). "
                                   f"{RE_EXPORT}"), size))


def scan(root: str) -> dict:
    started = time.monotonic()
    entries: dict[str, dict] = {}
    files = walk(root, entries)
    packages = [f for f in files if f.lower().endswith((".ova", ".ovf"))]
    ovf_folders: dict[str, int] = {}
    for rel in packages:
        if rel.lower().endswith(".ovf") and rel.count("/") + 1 <= OVF_MAX_DEPTH:
            folder = str(PurePosixPath(rel).parent)
            ovf_folders[folder] = ovf_folders.get(folder, 0) + 1
    crowded = {folder for folder, count in ovf_folders.items() if count > 1}
    claims: dict[str, str] = {}
    with ThreadPoolExecutor(READERS) as pool:
        for rel, result in zip(packages, pool.map(lambda r: scan_package(root, r, crowded), packages), strict=True):
            entries[rel] = result.entry
            for path, owner in result.claims.items():
                claims.setdefault(path, owner)
    for rel in files:
        if rel not in entries:
            size = os.path.getsize(os.path.join(root, rel))
            entries[rel] = ignored("file-of", size, of=claims[rel]) if rel in claims else ignored("not-an-appliance", size)
    return {"format": FORMAT, "root": root, "elapsed_seconds": round(time.monotonic() - started, 3),
            "entries": dict(sorted(entries.items()))}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m mtvweb.pods.ova_scan", description=__doc__.split("\n\n")[0])
    parser.add_argument("root", help="where the share is mounted, e.g. /ova")
    parser.add_argument("--compress", action="store_true",
                        help=f"print {COMPRESSED}<base64 of the gzipped document> (a share of thousands of VMs "
                             "stays far below the kubelet's log rotation size)")
    args = parser.parse_args(argv)
    if not os.path.isdir(args.root) or not os.access(args.root, os.R_OK | os.X_OK):
        reason = "is not a directory" if not os.path.isdir(args.root) else f"cannot be read by uid {os.getuid()}"
        print(json.dumps({"format": FORMAT, "root": args.root, "fatal": f"the share's mount point {args.root} {reason}"}))
        return 2
    document = json.dumps(scan(args.root), separators=(",", ":"))
    if args.compress:
        document = COMPRESSED + base64.b64encode(gzip.compress(document.encode(), 6)).decode()
    print(document, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""What the OVA share holds: disk contents, virtual machines, and where each package lies.

Everything here is data. `disks.py` turns a DiskSpec into a streamOptimized VMDK,
`ovf.py` turns a VMSpec into a descriptor, `share.py` lays the packages out and writes
the manifest of what a scanner must find (guide §2.8):

- `.ova` archives are found in the share root and one sub-folder down (depth <= 2,
  counting path components relative to the share root), not deeper;
- extracted `.ovf` descriptors down to two sub-folders (depth <= 3), not deeper;
- a folder holding two `.ovf` files is an error for both.
"""

from __future__ import annotations

from dataclasses import dataclass

KiB, MiB, GiB = 1 << 10, 1 << 20, 1 << 30

OVA_MAX_DEPTH = 2
OVF_MAX_DEPTH = 3


@dataclass(frozen=True)
class DiskSpec:
    """A guest disk: its virtual size and the extents that hold data; the rest is a hole.

    Extent kinds: "text" (readable, compressible lines naming the disk and block),
    "random" (incompressible bytes derived from the disk key), "zeros" (written zeros:
    allocated in the raw image, yet reading as zeros).
    """

    key: str
    virtual_size: int
    extents: tuple[tuple[int, int, str], ...]


@dataclass(frozen=True)
class Disk:
    spec: DiskSpec
    controller: str = "scsi"  # scsi (lsilogic) | pvscsi | sata | nvme | ide
    units: str = "byte"  # how the OVF states ovf:capacity: "byte", "byte * 2^20", "byte * 2^30"
    image: str = "streamOptimized"  # streamOptimized VMDK (what vSphere exports) | raw (a plain .img file)


@dataclass(frozen=True)
class Nic:
    network: str  # "" = connected to no network (no rasd:Connection value)
    model: str = "VmxNet3"  # VmxNet3 | E1000e | E1000
    mac: str | None = None  # vSphere writes rasd:Address only when MACs are exported


@dataclass(frozen=True)
class VMSpec:
    name: str
    os_type: str  # vmw:osType, e.g. rhel8_64Guest
    os_description: str
    cpus: int
    memory_mib: int
    disks: tuple[Disk, ...]
    nics: tuple[Nic, ...]
    firmware: str = "bios"  # bios | efi
    secure_boot: bool = False
    cores_per_socket: int = 1
    ovf_version: str = "1.0"  # 1.0 (what vSphere exports) or 2.0
    memory_units: str = "byte * 2^20"
    cdrom: bool = False
    exporter: str = "vsphere"  # vsphere | virtualbox (an OVF without VMware's extensions)
    hot_add: bool = False  # vmw:Config cpuHotAddEnabled and memoryHotAddEnabled
    usb: bool = False  # a USB controller item (ResourceType 23)


@dataclass(frozen=True)
class Package:
    """One appliance in the share: an `.ova` archive or an extracted `.ovf` with its files.

    `breakage` makes it broken on purpose: truncated | not-a-tar | not-xml | missing-disk |
    size-mismatch. `expect` is what a scanner must say: "vm", "error:<kind>" or
    "ignored:<reason>".
    """

    path: str  # relative to the share root; ends in .ova or .ovf
    vm: VMSpec | None
    expect: str
    breakage: str | None = None
    with_disks: bool = True


def _disk(key: str, virtual_size: int, *extents: tuple[int, int, str]) -> DiskSpec:
    return DiskSpec(key, virtual_size, tuple(extents))


# Every valid VM has disks of its own content, so bytes that reach a target identify their source.
ALPINE = _disk("alpine-bios-1", 64 * MiB, (0, 1 * MiB, "text"), (1 * MiB + 512, 2 * MiB, "random"),
               (20 * MiB, 1 * MiB, "zeros"), (40 * MiB, 1 * MiB, "random"), (63 * MiB, 1 * MiB, "text"))
WIN_1 = _disk("win2019-efi-1", 1 * GiB, (0, 2 * MiB, "text"), (8 * MiB, 4 * MiB, "random"),
              (300 * MiB + 4 * KiB, 3 * MiB, "random"), (700 * MiB, 1 * MiB, "zeros"),
              (1 * GiB - 1 * MiB, 1 * MiB, "random"))
WIN_2 = _disk("win2019-efi-2", 32 * MiB, (0, 512 * KiB, "text"), (16 * MiB, 3 * MiB, "random"))
PHOTON = _disk("photon-ovf2-1", 48 * MiB, (0, 1 * MiB, "text"), (5 * MiB, 4 * MiB, "random"),
               (47 * MiB + 3 * KiB, 1 * KiB, "text"))
RHEL = _disk("rhel8-extracted-1", 40 * MiB, (0, 1 * MiB, "text"), (2 * MiB, 5 * MiB, "random"),
             (39 * MiB, 1 * MiB, "random"))
DEBIAN = _disk("debian-sub1-1", 24 * MiB, (0, 2 * MiB, "text"), (10 * MiB, 3 * MiB, "random"))
UBUNTU_1 = _disk("ubuntu-sub2-1", 16 * MiB, (0, 1 * MiB, "text"), (4 * MiB, 2 * MiB, "random"))
UBUNTU_2 = _disk("ubuntu-sub2-2", 8 * MiB, (1 * MiB, 1 * MiB, "random"), (6 * MiB, 64 * KiB, "zeros"))
# Shared by packages a scanner must not list (ignored or broken): content need not be unique there.
SPARE = _disk("spare-1", 12 * MiB, (0, 1 * MiB, "text"), (3 * MiB, 2 * MiB, "random"))
SPARE_SMALL = _disk("spare-2", 4 * MiB, (0, 256 * KiB, "text"), (1 * MiB, 1 * MiB, "random"))

VM_NETWORK = "VM Network"
PROD = "prod-vlan-20"
BACKUP = "backup-net"

ALPINE_VM = VMSpec("alpine-bios", "otherLinux64Guest", "Other Linux (64-bit)", 1, 512,
                   (Disk(ALPINE, "scsi", "byte * 2^20"),), (Nic(VM_NETWORK, "VmxNet3", "00:50:56:aa:00:01"),))
WIN_VM = VMSpec("win2019-efi", "windows2019srv_64Guest", "Microsoft Windows Server 2019 (64-bit)", 4, 4096,
                (Disk(WIN_1, "sata", "byte * 2^30"), Disk(WIN_2, "sata")),
                (Nic(VM_NETWORK, "E1000e", "00:50:56:aa:00:02"), Nic(PROD, "VmxNet3", "00:50:56:aa:00:03")),
                firmware="efi", secure_boot=True, cores_per_socket=2, cdrom=True)
PHOTON_VM = VMSpec("photon-ovf2", "vmwarePhoton64Guest", "VMware Photon OS (64-bit)", 2, 1024,
                   (Disk(PHOTON, "nvme"),), (Nic(VM_NETWORK),),
                   firmware="efi", ovf_version="2.0", memory_units="byte * 2^30")
RHEL_VM = VMSpec("rhel8-extracted", "rhel8_64Guest", "Red Hat Enterprise Linux 8 (64-bit)", 2, 2048,
                 (Disk(RHEL, "ide"),), (Nic(PROD, "VmxNet3", "00:50:56:aa:00:04"),), cdrom=True)
DEBIAN_VM = VMSpec("debian-sub1", "debian11_64Guest", "Debian GNU/Linux 11 (64-bit)", 1, 1024,
                   (Disk(DEBIAN, "pvscsi"),),
                   (Nic(VM_NETWORK, "VmxNet3", "00:50:56:aa:00:05"), Nic(BACKUP, "E1000")))
UBUNTU_VM = VMSpec("ubuntu-sub2", "ubuntu64Guest", "Ubuntu Linux (64-bit)", 2, 2048,
                   (Disk(UBUNTU_1, "pvscsi"), Disk(UBUNTU_2, "pvscsi", "byte * 2^20")),
                   (Nic(PROD, "VmxNet3", "00:50:56:aa:00:06"),), firmware="efi")


def _spare_vm(name: str, *disks: DiskSpec, **kw) -> VMSpec:
    return VMSpec(name, "otherLinux64Guest", "Other Linux (64-bit)", 1, 256,
                  tuple(Disk(d) for d in disks), (Nic(VM_NETWORK),), **kw)


PACKAGES: tuple[Package, ...] = (
    # share root (depth 1): archives and one extracted descriptor
    Package("alpine-bios.ova", ALPINE_VM, "vm"),
    Package("rhel8-extracted.ovf", RHEL_VM, "vm"),
    Package("broken-truncated.ova", _spare_vm("truncated-vm", SPARE), "error:truncated-archive", "truncated"),
    Package("broken-not-a-tar.ova", None, "error:invalid-archive", "not-a-tar"),
    Package("broken-not-xml.ova", _spare_vm("not-xml-in-ova", SPARE_SMALL), "error:invalid-ovf", "not-xml"),
    # first sub-folder level (depth 2): several archives in one folder, and an extracted descriptor
    Package("dept-a/win2019-efi.ova", WIN_VM, "vm"),
    Package("dept-a/photon-ovf2.ova", PHOTON_VM, "vm"),
    Package("dept-a/broken-missing-disk.ova", _spare_vm("missing-disk-in-ova", SPARE_SMALL, SPARE),
            "error:missing-disk", "missing-disk"),
    Package("dept-a/nested/too-deep.ova", _spare_vm("too-deep-ova", SPARE), "ignored:ova-too-deep"),
    Package("dept-b/debian-sub1.ovf", DEBIAN_VM, "vm"),
    Package("dept-b/broken-size-mismatch.ova", _spare_vm("size-mismatch-vm", SPARE), "error:disk-size-mismatch",
            "size-mismatch"),
    # second sub-folder level (depth 3): extracted descriptors only
    Package("extracted/ubuntu/ubuntu-sub2.ovf", UBUNTU_VM, "vm"),
    Package("extracted/not-xml/not-xml.ovf", None, "error:invalid-ovf", "not-xml"),
    Package("extracted/missing-disk/missing-disk.ovf", _spare_vm("missing-disk-extracted", SPARE_SMALL),
            "error:missing-disk", "missing-disk"),
    Package("extracted/two-ovfs/first.ovf", _spare_vm("two-ovfs-first", SPARE_SMALL), "error:multiple-ovf-in-folder"),
    Package("extracted/two-ovfs/second.ovf", _spare_vm("two-ovfs-second", SPARE), "error:multiple-ovf-in-folder"),
    Package("extracted/nested/too-deep.ova", _spare_vm("too-deep-ova-2", SPARE_SMALL), "ignored:ova-too-deep"),
    # third sub-folder level (depth 4): too deep even for extracted descriptors
    Package("extracted/deep/level3/too-deep.ovf", _spare_vm("too-deep-ovf", SPARE_SMALL), "ignored:ovf-too-deep"),
)

# Plain files a scanner meets and must pass over.
README_TEXT = """This folder is the mtvweb lab's OVA share (generated by lab/ova; do not edit).
expected.json lists every file in it and what a scanner must make of it.
"""
OTHER_FILES: dict[str, str] = {
    "README.txt": README_TEXT,
    "dept-a/notes.txt": "Exports from department A.\n",
}


# --- validation cases: a second share (`ova-cases`) of valid VMs made to trip the OVA
# validation rules; each has disks of its own content. The main share stays as it is.
RAW_CASE = _disk("case-raw-disk-1", 4 * MiB, (0, 512 * KiB, "text"), (2 * MiB, 1 * MiB, "random"))
VBOX_CASE = _disk("case-vbox-1", 6 * MiB, (0, 1 * MiB, "text"), (3 * MiB, 1 * MiB, "random"))
NAME_CASE = _disk("case-bad-name-1", 4 * MiB, (0, 256 * KiB, "text"), (1 * MiB, 512 * KiB, "random"))
USB_CASE = _disk("case-usb-1", 4 * MiB, (0, 256 * KiB, "text"), (3 * MiB, 256 * KiB, "random"))

CASES: tuple[Package, ...] = (
    # a raw disk image beside the OVF instead of a VMDK → "Unsupported disk format"
    Package("raw-disk.ova", VMSpec("raw-disk", "centos8_64Guest", "CentOS 8 (64-bit)", 1, 512,
                                   (Disk(RAW_CASE, "scsi", image="raw"),),
                                   (Nic(VM_NETWORK, "VmxNet3", "00:50:56:aa:01:01"),)), "vm"),
    # made by VirtualBox: no VMware namespaces, no <Name> (the ovf:id names it), no MAC →
    # "OVF not exported from vSphere", "NIC without a MAC address"
    Package("other-tools/vbox-appliance.ova",
            VMSpec("vbox-appliance", "", "RedHat_64", 1, 512, (Disk(VBOX_CASE, "sata"),), (Nic("NAT", "E1000"),),
                   exporter="virtualbox"), "vm"),
    # capitals, '_' and a space in the name, CPU and memory hot add → "Invalid VM name", "CPU or memory hot plug"
    Package("Finance_DB 01.ova", VMSpec("Finance_DB 01", "windows2019srv_64Guest",
                                        "Microsoft Windows Server 2019 (64-bit)", 2, 1024, (Disk(NAME_CASE, "sata"),),
                                        (Nic(VM_NETWORK, "VmxNet3", "00:50:56:aa:01:03"),), hot_add=True), "vm"),
    # a USB controller and a NIC connected to nothing → "USB controller present", "NIC not connected to a network"
    Package("usb-dongle.ova", VMSpec("usb-dongle", "otherLinux64Guest", "Other Linux (64-bit)", 1, 256,
                                     (Disk(USB_CASE, "scsi"),),
                                     (Nic(VM_NETWORK, "VmxNet3", "00:50:56:aa:01:04"), Nic("", "E1000e", "00:50:56:aa:01:05")),
                                     usb=True), "vm"),
    # no disk at all (a network-booted appliance) → "VM has no disks"
    Package("pxe-diskless.ova", VMSpec("pxe-diskless", "otherLinux64Guest", "Other Linux (64-bit)", 1, 256, (),
                                       (Nic(VM_NETWORK, "VmxNet3", "00:50:56:aa:01:06"),)), "vm"),
)

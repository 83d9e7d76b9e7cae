"""OVF descriptors written the way vSphere's "Export OVF Template" writes them.

Text templates rather than ElementTree: vSphere declares the envelope namespace both as
the default and as `ovf:`, which ElementTree cannot serialise. Items list their rasd:
elements alphabetically, as the CIM schema orders them. `vmw:Config` entries carry
firmware, secure boot and hot-plug flags; the NVRAM file of an EFI VM is referenced
through `vmw:ExtraConfig key="nvram"`. `virtualbox_descriptor` writes what VirtualBox's
"Export Appliance" writes instead: no VMware namespace at all (validation cases only).
"""

from __future__ import annotations

from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

from lab.ova.catalog import VMSpec

NAMESPACES = {
    "1.0": "http://schemas.dmtf.org/ovf/envelope/1",
    "2.0": "http://schemas.dmtf.org/ovf/envelope/2",
}
RASD = "http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_ResourceAllocationSettingData"
VSSD = "http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_VirtualSystemSettingData"
VMW = "http://www.vmware.com/schema/ovf"
STREAM_OPTIMIZED = "http://www.vmware.com/interfaces/specifications/vmdk.html#streamOptimized"
UNIT_BYTES = {"byte": 1, "byte * 2^20": 1 << 20, "byte * 2^30": 1 << 30}

# controller kind -> (ResourceType, ResourceSubType, Description, ElementName prefix)
CONTROLLERS = {
    "scsi": ("6", "lsilogic", "SCSI Controller", "SCSI controller"),
    "pvscsi": ("6", "VirtualSCSI", "SCSI Controller", "SCSI controller"),
    "sata": ("20", "vmware.sata.ahci", "SATA Controller", "SATA controller"),
    "nvme": ("20", "vmware.nvme.controller", "NVMe Controller", "NVMe controller"),
}


@dataclass(frozen=True)
class FileRef:
    """A file the descriptor references: a disk (with its capacity) or the NVRAM."""

    href: str
    size: int
    capacity: int | None = None  # bytes, for disks
    populated_size: int | None = None


def _item(*fields: tuple[str, str], configs: tuple[tuple[str, str], ...] = (), extra: str = "") -> str:
    lines = ["      <Item>"]
    for name, value in sorted(fields):
        lines.append(f"        <rasd:{name}>{escape(value)}</rasd:{name}>")
    if extra:
        lines.append(extra)
    for key, value in configs:
        lines.append(f'        <vmw:Config ovf:required="false" vmw:key={quoteattr(key)} vmw:value={quoteattr(value)}/>')
    lines.append("      </Item>")
    return "\n".join(lines)


def _capacity_attr(capacity: int, units: str) -> str:
    factor = UNIT_BYTES[units]
    if capacity % factor:
        raise ValueError(f"capacity {capacity} is not a whole number of {units!r}")
    return str(capacity // factor)


def _hardware(vm: VMSpec, nvram_file_id: str | None) -> str:
    items = []
    next_id = iter(range(1, 100))
    items.append(_item(("AllocationUnits", "hertz * 10^6"), ("Description", "Number of Virtual CPUs"),
                       ("ElementName", f"{vm.cpus} virtual CPU(s)"), ("InstanceID", str(next(next_id))),
                       ("ResourceType", "3"), ("VirtualQuantity", str(vm.cpus)),
                       extra=f'        <vmw:CoresPerSocket ovf:required="false">{vm.cores_per_socket}</vmw:CoresPerSocket>'))
    memory_quantity = _capacity_attr(vm.memory_mib << 20, vm.memory_units)
    items.append(_item(("AllocationUnits", vm.memory_units), ("Description", "Memory Size"),
                       ("ElementName", f"{vm.memory_mib}MB of memory"), ("InstanceID", str(next(next_id))),
                       ("ResourceType", "4"), ("VirtualQuantity", memory_quantity)))
    # vSphere always exports both IDE channels, then one controller of each kind in use.
    ide_ids = []
    for channel in (0, 1):
        ide_ids.append(str(next(next_id)))
        items.append(_item(("Address", str(channel)), ("Description", "IDE Controller"),
                           ("ElementName", f"IDE {channel}"), ("InstanceID", ide_ids[-1]), ("ResourceType", "5")))
    controller_ids = {"ide": ide_ids[0]}
    for disk in vm.disks:
        if disk.controller not in controller_ids:
            rtype, subtype, description, element = CONTROLLERS[disk.controller]
            controller_ids[disk.controller] = str(next(next_id))
            items.append(_item(("Address", "0"), ("Description", description), ("ElementName", f"{element} 0"),
                               ("InstanceID", controller_ids[disk.controller]), ("ResourceSubType", subtype),
                               ("ResourceType", rtype)))
    items.append(_item(("AutomaticAllocation", "false"), ("ElementName", "Video card"),
                       ("InstanceID", str(next(next_id))), ("ResourceType", "24"),
                       configs=(("useAutoDetect", "false"), ("videoRamSizeInKB", "4096"))))
    if vm.usb:
        items.append(_item(("Address", "0"), ("AutomaticAllocation", "false"), ("Description", "USB Controller (EHCI)"),
                           ("ElementName", "USB controller"), ("InstanceID", str(next(next_id))),
                           ("ResourceSubType", "vmware.usb.ehci"), ("ResourceType", "23"),
                           configs=(("autoConnectDevices", "false"), ("ehciEnabled", "true"))))
    slot_on_controller: dict[str, int] = {}
    for number, disk in enumerate(vm.disks, start=1):
        address = slot_on_controller.get(disk.controller, 0)
        slot_on_controller[disk.controller] = address + 1
        items.append(_item(("AddressOnParent", str(address)), ("ElementName", f"Hard disk {number}"),
                           ("HostResource", f"ovf:/disk/vmdisk{number}"), ("InstanceID", str(next(next_id))),
                           ("Parent", controller_ids[disk.controller]), ("ResourceType", "17"),
                           configs=(("backing.writeThrough", "false"),)))
    if vm.cdrom:
        items.append(_item(("AddressOnParent", "0"), ("AutomaticAllocation", "false"), ("ElementName", "CD/DVD drive 1"),
                           ("InstanceID", str(next(next_id))), ("Parent", ide_ids[1]),
                           ("ResourceSubType", "vmware.cdrom.remotepassthrough"), ("ResourceType", "15")))
    for number, nic in enumerate(vm.nics, start=1):
        fields = [("AddressOnParent", str(6 + number)), ("AutomaticAllocation", "true"), ("Connection", nic.network),
                  ("Description", f'{nic.model} ethernet adapter on "{nic.network}"'),
                  ("ElementName", f"Network adapter {number}"), ("InstanceID", str(next(next_id))),
                  ("ResourceSubType", nic.model), ("ResourceType", "10")]
        if nic.mac:
            fields.append(("Address", nic.mac))
        items.append(_item(*fields, configs=(("slotInfo.pciSlotNumber", str(160 + 32 * number)),
                                             ("wakeOnLanEnabled", "true"),
                                             ("connectable.allowGuestControl", "true"))))
    hot_add = "true" if vm.hot_add else "false"
    configs = [("cpuHotAddEnabled", hot_add), ("cpuHotRemoveEnabled", "false"), ("firmware", vm.firmware)]
    if vm.firmware == "efi":
        configs.append(("bootOptions.efiSecureBootEnabled", "true" if vm.secure_boot else "false"))
    configs += [("memoryHotAddEnabled", hot_add), ("powerOpInfo.powerOffType", "soft"),
                ("tools.syncTimeWithHost", "false")]
    tail = [f'      <vmw:Config ovf:required="false" vmw:key={quoteattr(k)} vmw:value={quoteattr(v)}/>' for k, v in configs]
    if nvram_file_id:
        tail.append(f'      <vmw:ExtraConfig ovf:required="false" vmw:key="nvram" vmw:value="ovf:/file/{nvram_file_id}"/>')
    return "\n".join(items + tail)


def descriptor(vm: VMSpec, disks: list[FileRef], nvram: FileRef | None = None) -> bytes:
    """The OVF descriptor of vm; disks[i] is the file of vm.disks[i] (capacity as stated in the OVF)."""
    if len(disks) != len(vm.disks):
        raise ValueError("one FileRef per disk")
    ns = NAMESPACES[vm.ovf_version]
    references, disk_lines = [], []
    for number, (disk, ref) in enumerate(zip(vm.disks, disks, strict=True), start=1):
        references.append(f'    <File ovf:href={quoteattr(ref.href)} ovf:id="file{number}" ovf:size="{ref.size}"/>')
        disk_format = f' ovf:format="{STREAM_OPTIMIZED}"' if disk.image == "streamOptimized" else ""
        disk_lines.append(
            f'    <Disk ovf:capacity="{_capacity_attr(ref.capacity, disk.units)}" '
            f'ovf:capacityAllocationUnits={quoteattr(disk.units)} ovf:diskId="vmdisk{number}" '
            f'ovf:fileRef="file{number}"{disk_format} ovf:populatedSize="{ref.populated_size or 0}"/>')
    nvram_id = None
    if nvram is not None:
        nvram_id = f"file{len(disks) + 1}"
        references.append(f'    <File ovf:href={quoteattr(nvram.href)} ovf:id="{nvram_id}" ovf:size="{nvram.size}"/>')
    networks = []
    for name in dict.fromkeys(nic.network for nic in vm.nics if nic.network):
        networks.append(f"    <Network ovf:name={quoteattr(name)}>\n"
                        f"      <Description>The {escape(name)} network</Description>\n    </Network>")
    version_attr = ' ovf:version="2.0"' if vm.ovf_version == "2.0" else ""
    text = f"""<?xml version="1.0" encoding="UTF-8"?>
<!--Generated by VMware ESX Server, User: root, UTC time: 2024-03-01T09:00:00.000Z-->
<Envelope vmw:buildId="build-21477706"{version_attr} xmlns="{ns}" xmlns:cim="http://schemas.dmtf.org/wbem/wscim/1/common" xmlns:ovf="{ns}" xmlns:rasd="{RASD}" xmlns:vmw="{VMW}" xmlns:vssd="{VSSD}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <References>
{chr(10).join(references)}
  </References>
  <DiskSection>
    <Info>Virtual disk information</Info>
{chr(10).join(disk_lines)}
  </DiskSection>
  <NetworkSection>
    <Info>The list of logical networks</Info>
{chr(10).join(networks)}
  </NetworkSection>
  <VirtualSystem ovf:id={quoteattr(vm.name)}>
    <Info>A virtual machine</Info>
    <Name>{escape(vm.name)}</Name>
    <OperatingSystemSection ovf:id="1" vmw:osType={quoteattr(vm.os_type)}>
      <Info>The kind of installed guest operating system</Info>
      <Description>{escape(vm.os_description)}</Description>
    </OperatingSystemSection>
    <VirtualHardwareSection>
      <Info>Virtual hardware requirements</Info>
      <System>
        <vssd:ElementName>Virtual Hardware Family</vssd:ElementName>
        <vssd:InstanceID>0</vssd:InstanceID>
        <vssd:VirtualSystemIdentifier>{escape(vm.name)}</vssd:VirtualSystemIdentifier>
        <vssd:VirtualSystemType>vmx-19</vssd:VirtualSystemType>
      </System>
{_hardware(vm, nvram_id)}
    </VirtualHardwareSection>
  </VirtualSystem>
</Envelope>
"""
    return text.encode()


def nic_name(vm: VMSpec, number: int) -> str:
    """The ElementName of the number-th NIC (from 1), as the exporting tool writes it."""
    if vm.exporter == "virtualbox":
        return f"Ethernet adapter on '{vm.nics[number - 1].network}'"
    return f"Network adapter {number}"


VBOX_CONTROLLERS = {"ide": ("5", "PIIX4"), "sata": ("20", "AHCI")}


def virtualbox_descriptor(vm: VMSpec, disks: list[FileRef]) -> bytes:
    """An OVF 1.0 descriptor the way VirtualBox exports one: the system is named only by its
    ovf:id, capacities in bytes, memory in MegaBytes, no MAC addresses, vbox: extensions."""
    references = [f'    <File ovf:id="file{n}" ovf:href={quoteattr(ref.href)}/>' for n, ref in enumerate(disks, start=1)]
    disk_lines = [f'    <Disk ovf:capacity="{ref.capacity}" ovf:diskId="vmdisk{n}" ovf:fileRef="file{n}" '
                  f'ovf:format="{STREAM_OPTIMIZED}"/>' for n, ref in enumerate(disks, start=1)]
    networks = [f"    <Network ovf:name={quoteattr(name)}>\n      <Description>Logical network used by this "
                f"appliance.</Description>\n    </Network>" for name in dict.fromkeys(n.network for n in vm.nics)]
    items = [
        _item(("Caption", f"{vm.cpus} virtual CPU"), ("Description", "Number of virtual CPUs"),
              ("ElementName", f"{vm.cpus} virtual CPU"), ("InstanceID", "1"), ("ResourceType", "3"),
              ("VirtualQuantity", str(vm.cpus))),
        _item(("AllocationUnits", "MegaBytes"), ("Caption", f"{vm.memory_mib} MB of memory"),
              ("Description", "Memory Size"), ("ElementName", f"{vm.memory_mib} MB of memory"), ("InstanceID", "2"),
              ("ResourceType", "4"), ("VirtualQuantity", str(vm.memory_mib))),
    ]
    next_id = iter(range(3, 100))
    controller_ids = {}
    for disk in vm.disks:
        if disk.controller not in controller_ids:
            rtype, subtype = VBOX_CONTROLLERS[disk.controller]
            controller_ids[disk.controller] = str(next(next_id))
            items.append(_item(("Address", "0"), ("Caption", f"{disk.controller}Controller0"),
                               ("Description", f"{disk.controller.upper()} Controller"),
                               ("ElementName", f"{disk.controller}Controller0"),
                               ("InstanceID", controller_ids[disk.controller]), ("ResourceSubType", subtype),
                               ("ResourceType", rtype)))
    for number, disk in enumerate(vm.disks, start=1):
        items.append(_item(("AddressOnParent", str(number - 1)), ("Caption", f"disk{number}"),
                           ("Description", "Disk Image"), ("ElementName", f"disk{number}"),
                           ("HostResource", f"/disk/vmdisk{number}"), ("InstanceID", str(next(next_id))),
                           ("Parent", controller_ids[disk.controller]), ("ResourceType", "17")))
    for number, nic in enumerate(vm.nics, start=1):
        items.append(_item(("AutomaticAllocation", "true"), ("Caption", nic_name(vm, number)),
                           ("Connection", nic.network), ("ElementName", nic_name(vm, number)),
                           ("InstanceID", str(next(next_id))), ("ResourceSubType", nic.model), ("ResourceType", "10")))
    text = f"""<?xml version="1.0"?>
<Envelope ovf:version="1.0" xml:lang="en-US" xmlns="http://schemas.dmtf.org/ovf/envelope/1" xmlns:ovf="http://schemas.dmtf.org/ovf/envelope/1" xmlns:rasd="{RASD}" xmlns:vssd="{VSSD}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:vbox="http://www.virtualbox.org/ovf/machine">
  <References>
{chr(10).join(references)}
  </References>
  <DiskSection>
    <Info>List of the virtual disks used in the package</Info>
{chr(10).join(disk_lines)}
  </DiskSection>
  <NetworkSection>
    <Info>Logical networks used in the package</Info>
{chr(10).join(networks)}
  </NetworkSection>
  <VirtualSystem ovf:id={quoteattr(vm.name)}>
    <Info>A virtual machine</Info>
    <OperatingSystemSection ovf:id="80">
      <Info>The kind of installed guest operating system</Info>
      <Description>{escape(vm.os_description)}</Description>
      <vbox:OSType ovf:required="false">{escape(vm.os_description)}</vbox:OSType>
    </OperatingSystemSection>
    <VirtualHardwareSection>
      <Info>Virtual hardware requirements for a virtual machine</Info>
      <System>
        <vssd:ElementName>Virtual Hardware Family</vssd:ElementName>
        <vssd:InstanceID>0</vssd:InstanceID>
        <vssd:VirtualSystemIdentifier>{escape(vm.name)}</vssd:VirtualSystemIdentifier>
        <vssd:VirtualSystemType>virtualbox-2.2</vssd:VirtualSystemType>
      </System>
{chr(10).join(items)}
    </VirtualHardwareSection>
  </VirtualSystem>
</Envelope>
"""
    return text.encode()

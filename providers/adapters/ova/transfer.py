"""OVA as a migration source: each disk is read by the transfer Pod straight from the provider's
NFS share, mounted read-only at /ova like the scanner mounts it — a streamOptimized VMDK
decoded inside the .ova archive (`--member`, no extraction) or an extracted .ovf's disk file
(`mtvweb/pods/transfer/source_vmdk.py`). An OVA is a file: it is never running, there is
nothing to power off or on, and no credentials are needed."""

from __future__ import annotations

from posixpath import join, normpath

from providers.adapters.base import ProviderError
from providers.adapters.ova.client import MOUNT, parse_share_url
from providers.adapters.ova.records import STORAGE_ID
from providers.adapters.source import DiskSource, NicSource, SourceVM
from providers.adapters.source import Operations as BaseOperations

BUSES = {"sata": "sata", "ide": "sata"}  # scsi, pvscsi, nvme → virtio once the guest is converted


class Operations(BaseOperations):
    def share_mount(self) -> dict:
        try:
            share = parse_share_url(self.adapter.url)
        except ValueError as exc:
            raise ProviderError(f"The OVA provider's share {self.adapter.url!r} is not usable: {exc}") from None
        return {"path": MOUNT, "volume": {"nfs": {"server": share.server, "path": share.path, "readOnly": True}}}

    @staticmethod
    def reader_args(vm, disk: dict) -> list[str]:
        relative = normpath(disk.get("filePath") or "").lstrip("/")
        if not relative or relative.startswith("..") or relative == ".":
            raise ProviderError(f"The inventory of {vm.name} does not say where disk {disk.get('name') or disk.get('id')} "
                                "lies in the share: refresh the OVA provider, then restart the migration.")
        args = ["--source-kind", "vmdk", "--path", join(MOUNT, relative)]
        return args + ["--member", disk["member"]] if disk.get("member") else args

    def describe(self, vm) -> SourceVM:
        data = vm.data
        mount = self.share_mount()
        disks = [DiskSource(id=disk["id"], capacity=int(disk["capacity"]),
                            storage=(disk.get("storage") or {}).get("id") or STORAGE_ID,
                            bus=BUSES.get(disk.get("controller", ""), "virtio"),
                            reader_args=self.reader_args(vm, disk), mounts=[mount])
                 for disk in data.get("disks") or []]
        # A NIC connected to no network has nothing to map to; one without a MAC in the OVF gets
        # the one KubeVirt picks (mac "").
        nics = [NicSource(mac=(nic.get("mac") or "").lower(), network=nic["networkId"])
                for nic in data.get("nics") or [] if nic.get("networkId")]
        cpus, cores = int(data.get("cpuCount") or 1), int(data.get("coresPerSocket") or 1)
        return SourceVM(id=vm.uid, name=vm.name, sockets=max(cpus // cores, 1), cores=cores,
                        memory_mib=int(data.get("memoryMB") or 1024), firmware=data.get("firmware") or "bios",
                        disks=disks, nics=nics, powered_on=False)

    def is_powered_on(self, vm) -> bool:
        return False

    def power_off(self, vm) -> None:
        """An OVA never runs."""

    def power_on(self, vm) -> None:
        """An OVA is not started: the migrated VirtualMachine is left Halted."""

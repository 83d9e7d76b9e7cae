"""oVirt / RHV as a migration source: each disk is read from the host's ovirt-imageio daemon
through an image transfer (direction download, format raw: the guest-visible bytes, also of
qcow2 disks). The transfer's `transfer_url` carries the ticket, so the transfer Pod needs no
credentials, only the engine CA that signs imageio's certificate. The VM is stopped and started
through the engine API.

Transfers are found again on the engine by disk, so `prepare_disks` and `release_disks` stay
idempotent across worker restarts: a disk that already has an open download is reused, and
releasing finalizes whatever open download the VM's disks still have.
"""

from __future__ import annotations

import time
from contextlib import contextmanager

import ovirtsdk4 as sdk
from ovirtsdk4 import types

from providers.adapters.base import ProviderError
from providers.adapters.ovirt.client import insecure
from providers.adapters.source import POWER_TIMEOUT, DiskSource, NicSource, SourceVM, refusals, wait_for
from providers.adapters.source import Operations as BaseOperations
from providers.models import InventoryObject

BUSES = {"sata": "sata", "ide": "sata"}  # virtio_scsi, virtio, spapr_vscsi → virtio
NIC_MODELS = {"e1000": "e1000", "e1000e": "e1000e", "rtl8139": "rtl8139"}  # the rest (virtio, rtl8139_virtio…) → virtio
EFI_BIOS = {"q35_ovmf", "q35_secure_boot"}
COPYABLE = {"image", ""}  # disk storage types with bytes an image transfer can read
TRANSFER_TIMEOUT = 300  # seconds for a transfer to reach transferring, or to finish once finalized
INACTIVITY_TIMEOUT = 3600  # the engine pauses a transfer nobody reads for this long; Pods may queue a while
Phase = types.ImageTransferPhase
OPEN = {Phase.INITIALIZING, Phase.TRANSFERRING, Phase.RESUMING, Phase.PAUSED_USER, Phase.PAUSED_SYSTEM,
        Phase.UNKNOWN}
FINISHED = {Phase.FINISHED_SUCCESS, Phase.FINISHED_FAILURE, Phase.FINISHED_CLEANUP}


class Operations(BaseOperations):
    # --- the VM in the target's terms -----------------------------------------------------------

    def describe(self, vm) -> SourceVM:
        data = vm.data
        attachments = sorted(data.get("diskAttachments") or [], key=lambda a: not a.get("bootable"))
        disks = []
        for attachment in attachments:
            disk = attachment.get("disk") or {}
            name = disk.get("name") or disk.get("id")
            if disk.get("storageType", "") not in COPYABLE:
                raise ProviderError(f"Disk {name} of {vm.name} is a {disk['storageType'].replace('_', ' ')} disk, which "
                                    "this version cannot migrate: detach it from the VM (or remove the VM from the "
                                    "plan), then restart the migration.")
            disks.append(DiskSource(id=disk["id"], capacity=int(disk.get("provisionedSize") or 0),
                                    storage=disk.get("storageDomain", ""),
                                    bus=BUSES.get(attachment.get("interface", ""), "virtio")))
        nics = []
        for nic in data.get("nics") or []:
            network = (nic.get("profile") or {}).get("network") or ""
            if network:  # a NIC without a vNIC profile is on no network ("Empty"): nothing to map it to
                nics.append(NicSource(mac=nic.get("mac", ""), network=network,
                                      model=NIC_MODELS.get(nic.get("interface", ""), "virtio")))
        threads = int(data.get("cpuThreads") or 1)
        return SourceVM(id=vm.uid, name=vm.name, sockets=int(data.get("cpuSockets") or 1),
                        cores=int(data.get("cpuCores") or 1) * threads,  # KubeVirt gets threads=1: keep the count
                        memory_mib=max(int(data.get("memory") or 2**30) // 2**20, 1),
                        firmware="efi" if self._bios(vm) in EFI_BIOS else "bios",
                        disks=disks, nics=nics, powered_on=data.get("status") == "up")

    def _bios(self, vm) -> str:
        """The VM's BIOS type; "cluster_default" (or none) means its cluster's."""
        bios = vm.data.get("bios") or ""
        if bios in ("", "cluster_default"):
            cluster = InventoryObject.objects.filter(provider=self.adapter.provider, kind="cluster",
                                                     uid=vm.cluster_uid or vm.data.get("cluster", "")).first()
            bios = (cluster.data.get("biosType") if cluster else "") or ""
        return bios

    def reader_secret(self) -> dict[str, str]:
        credentials = self.adapter.credentials
        if insecure(credentials) or not credentials.get("cacert"):
            return {}
        return {"SOURCE_CA_PEM": credentials["cacert"]}

    def _tls_args(self) -> list[str]:
        return ["--insecure"] if insecure(self.adapter.credentials) else []

    # --- the engine -----------------------------------------------------------------------------

    @contextmanager
    def _engine(self, doing: str):
        """An SDK connection; what the SDK raises in the block is told as a refusal while `doing`
        (the client's explanation of the engine's answer). The client's own calls (vm_status…)
        explain their errors already: wrap those in `refusals(doing)`."""
        client = self.adapter.client()
        try:
            yield client
        except sdk.Error:
            with refusals(doing), client.translated():
                raise
        finally:
            client.close()

    def is_powered_on(self, vm) -> bool:
        # Anything but down counts as on: the engine lends a disk for download only while its VM is down.
        doing = f"read the power state of {vm.name}"
        with self._engine(doing) as client, refusals(doing):
            return client.vm_status(vm.uid) != "down"

    def switch(self, vm, on: bool) -> None:
        wanted, doing = "up" if on else "down", f"power {'on' if on else 'off'} {vm.name}"
        with self._engine(doing) as client:
            def status() -> str:
                with refusals(doing):
                    return client.vm_status(vm.uid)

            if status() != wanted:
                with refusals(doing):
                    if on:
                        client.start_vm(vm.uid)
                    else:
                        client.power_off_vm(vm.uid)
            wait_for(status, lambda now: now == wanted,
                     lambda now: f"{vm.name} did not become {wanted} within {POWER_TIMEOUT} s (it is {now}): "
                                 "check it in the oVirt administration portal, then restart the migration.")

    # --- the disks' transfers -------------------------------------------------------------------

    @staticmethod
    def _downloads(system, disk_ids: set[str]) -> dict[str, types.ImageTransfer]:
        """The open downloads of these disks, by disk id."""
        found = {}
        for transfer in system.image_transfers_service().list():
            disk_id = (transfer.disk.id if transfer.disk else None) or (transfer.image.id if transfer.image else None)
            if (disk_id in disk_ids and transfer.phase in OPEN
                    and transfer.direction in (None, types.ImageTransferDirection.DOWNLOAD)):
                found[disk_id] = transfer
        return found

    def prepare_disks(self, vm, source: SourceVM) -> dict[str, list[str]]:
        """Open (or find again) a raw download per disk and wait until imageio serves it; returns
        each disk's transfer Pod arguments by disk id. When one disk cannot be exported, the others
        are released again rather than left locked."""
        try:
            return self._prepare(vm, source)
        except Exception:
            try:
                self.release_disks(vm)
            except ProviderError:
                pass  # the first failure is the one to report
            raise

    def _prepare(self, vm, source: SourceVM) -> dict[str, list[str]]:
        with self._engine(f"export the disks of {vm.name}") as client:
            system = client.system
            transfers = self._downloads(system, {d.id for d in source.disks})
            for disk in source.disks:
                if disk.id not in transfers:
                    transfers[disk.id] = system.image_transfers_service().add(types.ImageTransfer(
                        disk=types.Disk(id=disk.id), direction=types.ImageTransferDirection.DOWNLOAD,
                        format=types.DiskFormat.RAW, inactivity_timeout=INACTIVITY_TIMEOUT))
            args = {}
            for index, disk in enumerate(source.disks):
                transfer = self._until_transferring(system, transfers[disk.id], vm, index)
                # imageio lists the disk's zero ranges, which the transfer Pod then does not fetch
                args[disk.id] = ["--source-kind", "http", "--url", transfer.transfer_url,
                                 "--extents-url", f"{transfer.transfer_url}/extents", *self._tls_args()]
            return args

    @staticmethod
    def _until_transferring(system, transfer, vm, index: int) -> types.ImageTransfer:
        service = system.image_transfers_service().image_transfer_service(transfer.id)
        deadline = time.monotonic() + TRANSFER_TIMEOUT
        while True:
            if transfer.phase == Phase.TRANSFERRING and transfer.transfer_url:
                return transfer
            if transfer.phase == Phase.PAUSED_USER:
                service.resume()
            elif transfer.phase == Phase.PAUSED_SYSTEM or transfer.phase in FINISHED or transfer.phase in (
                    Phase.CANCELLED, Phase.CANCELLED_SYSTEM, Phase.CANCELLED_USER, Phase.FINALIZING_FAILURE):
                raise ProviderError(f"The engine could not export disk {index + 1} of {vm.name} for download (the "
                                    f"image transfer is {transfer.phase.value}): see the engine's events and the "
                                    "host's ovirt-imageio service, then restart the migration.")
            if time.monotonic() > deadline:
                raise ProviderError(f"Disk {index + 1} of {vm.name} was not ready for download within "
                                    f"{TRANSFER_TIMEOUT} s (the image transfer is {transfer.phase.value}): check the "
                                    "host's ovirt-imageio service, then restart the migration.")
            time.sleep(0.5)
            transfer = service.get()

    def release_disks(self, vm) -> None:
        """Finalize the open downloads of the VM's disks and wait until the engine unlocks them."""
        disk_ids = {(a.get("disk") or {}).get("id") for a in vm.data.get("diskAttachments") or []} - {None}
        with self._engine(f"finish the disk exports of {vm.name}") as client:
            system = client.system
            open_now = self._downloads(system, disk_ids)
            for transfer in open_now.values():
                service = system.image_transfers_service().image_transfer_service(transfer.id)
                try:
                    service.finalize()
                except sdk.Error:
                    if service.get().phase in OPEN:  # not just finalized by someone else meanwhile
                        raise
            deadline = time.monotonic() + TRANSFER_TIMEOUT
            for transfer in open_now.values():
                service = system.image_transfers_service().image_transfer_service(transfer.id)
                while (phase := service.get().phase) not in FINISHED:
                    if time.monotonic() > deadline:
                        raise ProviderError(f"The engine did not finish the export of a disk of {vm.name} within "
                                            f"{TRANSFER_TIMEOUT} s (the image transfer is {phase.value}): check it "
                                            "in the oVirt administration portal, then restart the migration.")
                    time.sleep(0.5)

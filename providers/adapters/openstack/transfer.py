"""OpenStack as a migration source: each Cinder volume is copied into a temporary Glance image
(raw), which the transfer Pod downloads from `<glance>/v2/images/<id>/file` with the session's
token in an `X-Auth-Token` header. The server is stopped and started through Nova.

An attached (`in-use`) volume cannot be uploaded directly (Cinder's default
`enable_force_upload = False`), so it goes the way Forklift takes: a snapshot, a volume from
that snapshot, and that volume uploaded to the image; the snapshot and the volume are removed
once the image is active. The root disk of a server booted from a Glance image lives on the
compute host: Nova's createImage copies it into an image (storage source "glance", as in
Forklift's storage maps).

Everything temporary is named `mtvweb-<server id>-<volume id>` (`…-root` for a root disk), so
`prepare_disks` finds what an earlier try made and `release_disks` finds what to delete.
"""

from __future__ import annotations

import re
import time
from functools import cached_property

from openstack import exceptions as sdk

from providers.adapters.base import ProviderError
from providers.adapters.openstack.client import OpenStackClient
from providers.adapters.source import POWER_TIMEOUT, DiskSource, NicSource, SourceVM
from providers.adapters.source import Operations as BaseOperations

ROOT = "root"  # the disk id of an image-booted server's root disk
GLANCE_STORAGE = "glance"  # its storage-map source
BUSES = {"ide": "sata", "sata": "sata", "scsi": "scsi"}  # hw_disk_bus; virtio and the rest → virtio
NIC_MODELS = {"e1000": "e1000", "e1000e": "e1000e", "rtl8139": "rtl8139", "pcnet": "pcnet", "ne2k_pci": "ne2k_pci"}
STEP_TIMEOUT = 600  # seconds for a snapshot or a volume to become available
COPY_RATE = 10 * 2**20  # bytes/s assumed at the least when waiting for an image to fill
GONE = ("killed", "deleted", "pending_delete", "deactivated")


def temporary_name(server_id: str, disk_id: str) -> str:
    return f"mtvweb-{server_id}-{disk_id}"


def image_wait(capacity: int) -> int:
    return STEP_TIMEOUT + capacity // COPY_RATE


class Operations(BaseOperations):
    @cached_property
    def client(self) -> OpenStackClient:
        return self.adapter.client()

    @property
    def connection(self):
        return self.client.connection

    def _call(self, what: str, action, *args, **kwargs):
        """action(*args, **kwargs), with OpenStack's refusals in words a user can act on."""
        try:
            with self.client.translated(what):
                return action(*args, **kwargs)
        except sdk.ResourceTimeout:
            raise ProviderError(f"OpenStack did not finish in time when trying to {what}: check the volume and image "
                                "services (cinder-volume, glance-api), then restart the migration.") from None
        except sdk.ResourceFailure as exc:
            raise ProviderError(f"OpenStack failed to {what} ({exc}): see the resource's status in OpenStack, fix "
                                "the cause, then restart the migration.") from None

    # --- the VM in the target's terms -----------------------------------------------------------

    def describe(self, vm) -> SourceVM:
        data = vm.data
        flavor, properties = data.get("flavor") or {}, (data.get("image") or {}).get("properties") or {}
        disks = []
        for local in data.get("localDisks") or []:
            if local.get("kind") == "root":
                disks.append(DiskSource(id=ROOT, capacity=int(local.get("capacity") or 0), storage=GLANCE_STORAGE,
                                        bus=BUSES.get(properties.get("hw_disk_bus", ""), "virtio")))
            elif local.get("kind") == "ephemeral":
                raise ProviderError(f"{vm.name} has an ephemeral disk on its compute host, which OpenStack cannot "
                                    "export: copy its data to a Cinder volume (or resize to a flavor without "
                                    "ephemeral storage), or remove the VM from the plan.")
            # swap is scratch space the guest recreates: not copied
        for disk in data.get("disks") or []:
            disks.append(DiskSource(id=disk["id"], capacity=int(disk.get("capacity") or 0),
                                    storage=(disk.get("storage") or {}).get("id", ""),
                                    bus=BUSES.get(disk.get("bus", ""), "virtio")))
        nics = [NicSource(mac=nic["mac"], network=(nic.get("network") or {}).get("id", ""),
                          model=NIC_MODELS.get(nic.get("model", ""), "virtio"))
                for nic in data.get("nics") or []]
        sockets, cores = topology(int(data.get("cpuCount") or flavor.get("vcpus") or 1),
                                  flavor.get("extraSpecs") or {}, properties)
        firmware = "efi" if properties.get("hw_firmware_type") == "uefi" or data.get("firmware") == "efi" else "bios"
        return SourceVM(id=vm.uid, name=vm.name, sockets=sockets, cores=cores,
                        memory_mib=int(data.get("memoryMB") or flavor.get("ram") or 1024), firmware=firmware,
                        disks=disks, nics=nics, powered_on=data.get("powerState") == "running")

    # --- power ----------------------------------------------------------------------------------

    def _status(self, vm) -> str:
        return self.client.server_status(vm.uid)

    def is_powered_on(self, vm) -> bool:
        return self._status(vm) != "SHUTOFF"

    def power_off(self, vm) -> None:
        status = self._status(vm)
        if status == "SHUTOFF":
            return
        if status not in ("ACTIVE", "ERROR", "RESCUE"):
            raise ProviderError(f"{vm.name} is {status}, and Nova can stop only an ACTIVE server: resume it or shut "
                                "it down in OpenStack, then restart the migration.")
        self._switch(vm, "SHUTOFF", self.client.power_off)

    def power_on(self, vm) -> None:
        if self._status(vm) != "ACTIVE":
            self._switch(vm, "ACTIVE", self.client.power_on)

    def _switch(self, vm, wanted: str, action) -> None:
        try:
            action(vm.uid)
            self.client.wait_for_status(vm.uid, wanted, timeout=POWER_TIMEOUT, poll=1.0)
        except ProviderError as exc:
            verb = "stop" if wanted == "SHUTOFF" else "start"
            raise ProviderError(f"Could not {verb} {vm.name} in OpenStack: {exc} Check the server there, then "
                                "restart the migration.") from None

    # --- disks ----------------------------------------------------------------------------------

    def reader_secret(self) -> dict[str, str]:
        with self.client.translated("get a token"):
            token = self.client.session.get_token()
        secret = {"SOURCE_TOKEN_HEADER": f"X-Auth-Token: {token}"}
        if self.adapter.credentials.get("cacert") and not self.insecure:
            secret["SOURCE_CA_PEM"] = self.adapter.credentials["cacert"]
        return secret

    @property
    def insecure(self) -> bool:
        return str(self.adapter.credentials.get("insecureSkipVerify", "")).lower() == "true"

    def glance_url(self) -> str:
        """Glance's catalog endpoint without a version (catalogs hold …:9292 or …/image, some …/v2)."""
        endpoint = self._call("find the image service", self.client.session.get_endpoint,
                              service_type="image", interface="public", region_name=self.client.region)
        if not endpoint:
            raise ProviderError("The service catalog has no image (Glance) endpoint: the disks cannot be exported.")
        return re.sub(r"/v2(\.\d+)?$", "", endpoint.rstrip("/"))

    def prepare_disks(self, vm, source: SourceVM) -> dict[str, list[str]]:
        images = {}
        for disk in source.disks:
            name = temporary_name(vm.uid, disk.id)
            image = self._find_image(name)
            if image is None:
                if disk.id == ROOT:
                    self._call(f"make an image of {vm.name}'s root disk", self.connection.compute.create_server_image,
                               vm.uid, name, metadata={"mtvweb": "migration"})
                else:
                    self._upload_volume(vm, disk.id, name)
                image = self._find_image(name)
                if image is None:
                    raise ProviderError(f"OpenStack made no image {name} for disk {disk.id} of {vm.name}: check the "
                                        "volume and image services, then restart the migration.")
            images[disk.id] = self._call(f"fill image {name}", self.connection.image.wait_for_status, image,
                                         "active", failures=list(GONE), interval=1, wait=image_wait(disk.capacity))
            if (images[disk.id].disk_format or "raw") != "raw":
                raise ProviderError(f"The image of disk {disk.id} of {vm.name} is {images[disk.id].disk_format}, not "
                                    "raw, and this version copies raw images only: boot the server from a Cinder volume "
                                    "instead, then restart the migration.")
        self._remove_helpers(vm)
        tls = ["--insecure"] if self.insecure else []
        glance = self.glance_url()
        return {disk_id: ["--source-kind", "http", "--url", f"{glance}/v2/images/{image.id}/file", *tls]
                for disk_id, image in images.items()}

    def release_disks(self, vm) -> None:
        for name in self._names(vm):
            for image in self._call(f"look for image {name}", lambda n: list(self.connection.image.images(name=n)),
                                    name):
                self._call(f"delete image {name}", self.connection.image.delete_image, image, ignore_missing=True)
        self._remove_helpers(vm)

    def _names(self, vm) -> list[str]:
        disk_ids = [d["id"] for d in vm.data.get("disks") or []]
        if any(d.get("kind") == "root" for d in vm.data.get("localDisks") or []):
            disk_ids.append(ROOT)
        return [temporary_name(vm.uid, disk_id) for disk_id in disk_ids]

    def _find_image(self, name: str):
        """The newest usable image of that name; broken ones (an upload that died) are deleted."""
        found = self._call(f"look for image {name}", lambda: list(self.connection.image.images(name=name)))
        usable = []
        for image in found:
            if image.status in GONE:
                self._call(f"delete image {name}", self.connection.image.delete_image, image, ignore_missing=True)
            else:
                usable.append(image)
        return max(usable, key=lambda i: i.created_at or "", default=None)

    def _upload_volume(self, vm, volume_id: str, name: str) -> None:
        block = self.connection.block_storage
        volume = self._call(f"read volume {volume_id}", block.get_volume, volume_id)
        if volume.status == "in-use":  # attached: upload a copy made from a snapshot
            snapshot = self._helper(block.snapshots, name) or self._call(
                f"snapshot volume {volume.name or volume_id}", block.create_snapshot, volume_id=volume_id, name=name,
                is_forced=True, description=f"mtvweb: migration of {vm.name}")
            self._call(f"snapshot volume {volume.name or volume_id}", block.wait_for_status, snapshot, "available",
                       failures=["error"], interval=1, wait=STEP_TIMEOUT)
            volume = self._helper(block.volumes, name) or self._call(
                f"make a volume from the snapshot of {volume.name or volume_id}", block.create_volume,
                snapshot_id=snapshot.id, size=volume.size, name=name,
                description=f"mtvweb: migration of {vm.name}")
            volume = self._call(f"make a volume from the snapshot of {volume.name or volume_id}",
                                block.wait_for_status, volume, "available", failures=["error"], interval=1,
                                wait=STEP_TIMEOUT + volume.size * 2**30 // COPY_RATE)
        elif volume.status != "available":
            raise ProviderError(f"Volume {volume.name or volume_id} of {vm.name} is {volume.status}: it must be "
                                "in-use or available to be copied. Fix it in OpenStack (or detach it), then restart "
                                "the migration.")
        self._call(f"upload volume {volume.name or volume_id} to an image", block.upload_volume_to_image, volume,
                   name, disk_format="raw", container_format="bare", visibility="private")

    def _helper(self, lister, name: str):
        """A snapshot or volume an earlier try made, when it is still usable."""
        found = [r for r in self._call(f"look for {name}", lambda: list(lister(name=name)))
                 if r.status not in ("error", "deleting", "error_deleting")]
        return found[0] if found else None

    def _remove_helpers(self, vm) -> None:
        """The volumes made from snapshots, then the snapshots (Cinder keeps a snapshot with volumes
        that depend on it on some backends). A volume still uploading is left for the next call."""
        block = self.connection.block_storage
        names = self._names(vm)
        for name in names:
            for volume in self._call(f"look for volume {name}", lambda n: list(block.volumes(name=n)), name):
                if volume.status == "uploading":
                    volume = self._call(f"finish uploading {name}", block.wait_for_status, volume, "available",
                                        failures=["error"], interval=1, wait=STEP_TIMEOUT)
                self._call(f"delete volume {name}", block.delete_volume, volume, ignore_missing=True)
                self._gone(block.get_volume, volume.id, f"volume {name}")
        for name in names:
            for snapshot in self._call(f"look for snapshot {name}", lambda n: list(block.snapshots(name=n)), name):
                self._call(f"delete snapshot {name}", block.delete_snapshot, snapshot, ignore_missing=True)
                self._gone(block.get_snapshot, snapshot.id, f"snapshot {name}")

    def _gone(self, getter, resource_id: str, what: str) -> None:
        deadline = time.monotonic() + STEP_TIMEOUT
        while time.monotonic() < deadline:
            try:
                with self.client.translated(f"read {what}"):
                    status = getter(resource_id).status
            except ProviderError as exc:
                if getattr(exc, "http_status", None) == 404:
                    return
                raise
            if status in ("error", "error_deleting"):
                raise ProviderError(f"OpenStack could not delete {what} (it is {status}): delete it there.")
            time.sleep(0.5)
        raise ProviderError(f"OpenStack did not delete {what} within {STEP_TIMEOUT} s: delete it there.")


def topology(vcpus: int, extra_specs: dict, properties: dict) -> tuple[int, int]:
    """(sockets, cores per socket): the flavor's hw:cpu_* extra specs, else the image's hw_cpu_*
    properties, else one socket per vCPU as Nova gives by default. Threads count as cores (the
    target VM is built with one thread per core)."""

    def wanted(key: str) -> int:
        value = extra_specs.get(f"hw:cpu_{key}") or properties.get(f"hw_cpu_{key}")
        try:
            return max(int(value), 1) if value else 0
        except (TypeError, ValueError):
            return 0

    sockets, cores, threads = wanted("sockets"), wanted("cores"), wanted("threads")
    per_socket = (cores or 1) * (threads or 1)
    if sockets and not (cores or threads):
        per_socket = max(vcpus // sockets, 1)
    if not sockets:
        sockets = max(vcpus // per_socket, 1)
    return sockets, per_socket

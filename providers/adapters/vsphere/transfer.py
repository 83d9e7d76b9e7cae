"""vSphere as a migration source: disks are read over the datastore's HTTPS file access
(`/folder/<path>-flat.vmdk?dcPath=…&dsName=…`, Range requests, HTTP Basic auth), the VM is
powered off and on through the vSphere API.

With a VDDK init image in the provider's settings (guide §2.7.1) disks are read with VMware's
VDDK instead: the transfer Pod runs `nbdkit vddk` (the VM by moref, the disk by its datastore
path, vCenter pinned by its SHA-1 thumbprint, the password from SOURCE_PASSWORD through a
private file); an init container from the user's image copies the library into /opt, an
emptyDir the transfer container mounts too. The lab has no VDDK, so that path runs only on
real clusters."""

from __future__ import annotations

from urllib.parse import quote

from pyVmomi import vim

from mtvweb.pods.transfer.extents import encode
from providers.adapters.base import ProviderError
from providers.adapters.source import POWER_TIMEOUT, DiskSource, NicSource, SourceVM, wait_for
from providers.adapters.source import Operations as BaseOperations
from providers.adapters.vsphere.client import normalize_thumbprint, session, split_url

VDDK_LIBDIR = "/opt/vmware-vix-disklib-distrib"  # where a VDDK image (like MTV's) copies the library
BUSES = {"sata": "sata", "ide": "sata"}  # everything else becomes virtio once the guest is converted
MAX_EXTENTS_ARG = 64 << 10  # a Pod argument; a disk more fragmented than this is read whole


def flat_file(file_name: str) -> tuple[str, str]:
    """"[LocalDS_0] vm/vm.vmdk" → ("LocalDS_0", "vm/vm-flat.vmdk")."""
    datastore, _, rel = file_name.partition("] ")
    rel = rel[: -len(".vmdk")] + "-flat.vmdk" if rel.endswith(".vmdk") else rel
    return datastore.lstrip("["), rel


def descriptor_file(file_name: str) -> str:
    """"[LocalDS_0] vm/vm.vmdk" as VDDK opens it: the descriptor, not the -flat extent."""
    datastore, _, rel = file_name.partition("] ")
    rel = rel[: -len(".vmdk")] if rel.endswith(".vmdk") else rel
    return f"[{datastore.lstrip('[')}] {rel}.vmdk"


class Operations(BaseOperations):
    def base_url(self) -> str:
        host, port, _ = split_url(self.adapter.url)
        return f"https://{host}:{port}"

    def tls_args(self) -> list[str]:
        given = self.adapter.credentials.get("thumbprint", "")
        args = ["--thumbprint", normalize_thumbprint(given)] if given else []
        return args or ["--insecure"]

    @property
    def vddk_image(self) -> str:
        return self.adapter.settings.get("vddkInitImage", "").strip()

    def vddk_args(self, vm, file_name: str) -> list[str]:
        credentials = self.adapter.credentials
        thumbprint = normalize_thumbprint(credentials.get("thumbprint", ""))
        if not thumbprint:
            raise ProviderError(f"VDDK needs the SHA-1 thumbprint of {self.adapter.provider.name}'s vCenter: fetch "
                                "it on the provider's edit page and save the provider, or remove the VDDK init image.")
        host, _, _ = split_url(self.adapter.url)
        settings = ["libdir=" + VDDK_LIBDIR, f"server={host}", f"user={credentials.get('user', '')}",
                    f"thumbprint={thumbprint}", f"vm=moref={vm.uid}", f"file={descriptor_file(file_name)}"]
        args = ["--source-kind", "nbdkit", "--nbdkit-plugin", "vddk"]
        for setting in settings:
            args += ["--nbdkit-arg", setting]
        return args

    def vddk_disk(self, disk: DiskSource) -> DiskSource:
        """The init container that puts the library where the vddk plugin looks, on a shared emptyDir."""
        disk.init_containers = [{"name": "vddk", "image": self.vddk_image,
                                 "volumeMounts": [{"name": "vddk", "mountPath": "/opt"}],
                                 "terminationMessagePolicy": "FallbackToLogsOnError"}]
        disk.volumes = [{"name": "vddk", "emptyDir": {}}]
        # only the library's directory: all of /opt would hide the image's venv (/opt/mtvweb/venv)
        disk.transfer_mounts = [{"name": "vddk", "mountPath": VDDK_LIBDIR, "subPath": VDDK_LIBDIR.rsplit("/", 1)[1]}]
        return disk

    def describe(self, vm) -> SourceVM:
        data = vm.data
        datacenter = vm.path.strip("/").split("/")[0] if vm.path else ""
        disks = []
        for disk in data.get("disks") or []:
            if disk.get("shared"):
                continue  # multi-writer disks are not copied (the plan checks warn)
            datastore, rel = flat_file(disk.get("file", ""))
            url = f"{self.base_url()}/folder/{quote(rel)}?dcPath={quote(datacenter)}&dsName={quote(datastore)}"
            source = DiskSource(
                id=str(disk["key"]), capacity=int(disk["capacity"]), storage=(disk.get("datastore") or {}).get("id", ""),
                bus=BUSES.get(disk.get("bus", ""), "virtio"),
                reader_args=["--source-kind", "http", "--url", url, *self.tls_args()])
            if self.vddk_image:
                source.reader_args = self.vddk_args(vm, disk.get("file", ""))
                self.vddk_disk(source)
            disks.append(source)
        nics = [NicSource(mac=nic["mac"], network=(nic.get("network") or {}).get("id", ""))
                for nic in data.get("nics") or []]
        cpus, cores = int(data.get("cpuCount") or 1), int(data.get("coresPerSocket") or 1)
        return SourceVM(id=vm.uid, name=vm.name, sockets=max(cpus // cores, 1), cores=cores,
                        memory_mib=int(data.get("memoryMB") or 1024), firmware=data.get("firmware") or "bios",
                        disks=disks, nics=nics, powered_on=data.get("powerState") == "poweredOn")

    def reader_secret(self) -> dict[str, str]:
        credentials = self.adapter.credentials
        return {"SOURCE_USER": credentials.get("user", ""), "SOURCE_PASSWORD": credentials.get("password", "")}

    def _vm(self, si, vm):
        return vim.VirtualMachine(vm.uid, si._stub)

    @staticmethod
    def _power_state(si, machine) -> str:
        """runtime.powerState alone, through the PropertyCollector (cheaper than all of `runtime`)."""
        spec = vim.PropertyCollector.FilterSpec(
            objectSet=[vim.PropertyCollector.ObjectSpec(obj=machine, skip=False)],
            propSet=[vim.PropertyCollector.PropertySpec(type=vim.VirtualMachine, pathSet=["runtime.powerState"])])
        result = si.content.propertyCollector.RetrieveContents([spec])
        return result[0].propSet[0].val if result and result[0].propSet else ""

    def _session(self):
        return session(self.adapter.url, self.adapter.credentials)

    def is_powered_on(self, vm) -> bool:
        with self._session() as si:
            return self._power_state(si, self._vm(si, vm)) == "poweredOn"

    def switch(self, vm, on: bool) -> None:
        wanted, verb = ("poweredOn", "on") if on else ("poweredOff", "off")
        with self._session() as si:
            machine = self._vm(si, vm)
            try:
                if self._power_state(si, machine) != wanted:
                    task = machine.PowerOnVM_Task() if on else machine.PowerOffVM_Task()
                    state = wait_for(lambda: task.info.state, lambda s: s not in ("queued", "running"),
                                     lambda s: f"vCenter's task to power {verb} {vm.name} is still {s} after "
                                               f"{POWER_TIMEOUT} s: check it in vCenter, then restart the migration.",
                                     interval=0.5)
                    if state == "error":
                        raise ProviderError(f"vCenter could not power {verb} {vm.name}: {task.info.error.msg}")
                wait_for(lambda: self._power_state(si, machine), lambda s: s == wanted,
                         lambda s: f"{vm.name} did not reach {wanted} within {POWER_TIMEOUT} s (it is {s}): check it "
                                   "in vCenter, then restart the migration.")
            except vim.fault.VimFault as exc:
                raise ProviderError(f"vCenter refused to power {verb} {vm.name}: {exc.msg}") from None

    def prepare_disks(self, vm, source: SourceVM) -> dict[str, list[str]]:
        """Disks with change tracking: vSphere lists their allocated areas (changed areas since
        "*", which a powered-off VM answers without a snapshot), and the transfer Pod fetches
        only those over HTTPS. Without tracking, or when vSphere cannot say, every byte is read."""
        tracked = {str(d.get("key")) for d in vm.data.get("disks") or [] if d.get("changeTrackingEnabled")}
        wanted = [d for d in source.disks if d.id in tracked and d.reader_args[:2] == ["--source-kind", "http"]]
        if not wanted:
            return {}
        args = {}
        with self._session() as si:
            machine = self._vm(si, vm)
            for disk in wanted:
                runs = self._allocated(machine, disk)
                packed = encode(runs) if runs is not None else ""
                if packed and len(packed) <= MAX_EXTENTS_ARG:
                    args[disk.id] = [*disk.reader_args, "--extents-data", packed]
        return args

    @staticmethod
    def _allocated(machine, disk: DiskSource) -> list[tuple[int, int]] | None:
        runs, offset = [], 0
        try:
            while offset < disk.capacity:
                info = machine.QueryChangedDiskAreas(deviceKey=int(disk.id), startOffset=offset, changeId="*")
                runs += [(area.start, area.start + area.length) for area in info.changedArea or []]
                offset = info.startOffset + info.length  # vSphere may answer a part of the disk at a time
                if info.length <= 0:
                    break
        except vim.fault.VimFault:
            return None  # e.g. tracking switched on but not active yet: read the whole disk
        return runs

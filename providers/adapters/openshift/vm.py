"""A KubeVirt VirtualMachine → its inventory record.

Forklift serves a KubeVirt VM as its REST Resource (uid, version, namespace, name, id) plus
the VirtualMachine itself under `object`. Validation and the migration need the facts inside
it without walking KubeVirt's spec, so the record also carries them at the top level, in the
field names the other providers use: powerState, cpuCount, memoryMB, firmware, disks
(capacity, storage class, volume mode, shared), nics (MAC, network), guestName, host.
Disk sizes come from the PVCs and DataVolumes behind the volumes, MACs that the spec leaves
to KubeVirt from the running VMI.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from providers.adapters.base import Item
from providers.adapters.openshift.objects import data_volume_summary, quantity, resource, trimmed

RUNNING_STRATEGIES = {"Always", "RerunOnFailure", "Once"}
BINDINGS = ("masquerade", "bridge", "sriov", "passt", "slirp", "macvtap")
DISK_KINDS = ("disk", "cdrom", "lun")
# The migration copies these volumes; anything else (containerDisk, hostDisk, cloud-init,
# config maps…) is not a PVC-backed disk and validation reports it.
CLAIM_VOLUMES = ("persistentVolumeClaim", "dataVolume")
# Cloud-init volumes carry the guest's first-boot configuration inline: passwords, SSH keys,
# tokens. The record keeps that such a volume is there (and its secretRef's name), never what it
# says: these keys are dropped from the stored VirtualMachine.
CLOUD_INIT_VOLUMES = ("cloudInitNoCloud", "cloudInitConfigDrive")
CLOUD_INIT_SECRETS = ("userData", "userDataBase64", "networkData", "networkDataBase64")


@dataclass
class Lookup:
    """What VM records refer to, by (namespace, name); storage classes and namespaces by name."""

    claims: dict = field(default_factory=dict)
    data_volumes: dict = field(default_factory=dict)
    instances: dict = field(default_factory=dict)
    instancetypes: dict = field(default_factory=dict)
    cluster_instancetypes: dict = field(default_factory=dict)
    nads: dict = field(default_factory=dict)  # (namespace, name) → uid
    storage_classes: dict = field(default_factory=dict)  # name → uid
    namespaces: dict = field(default_factory=dict)  # name → uid


def power_state(vm: dict) -> str:
    """"On" when the VM runs or is meant to run (it must be stopped for a cold migration), else "Off"."""
    status = vm.get("status", {}).get("printableStatus", "")
    if status:
        return "Off" if status == "Stopped" else "On"
    spec = vm.get("spec", {})
    if "running" in spec:
        return "On" if spec["running"] else "Off"
    return "On" if spec.get("runStrategy") in RUNNING_STRATEGIES else "Off"


def without_secrets(vm: dict) -> dict:
    """The VirtualMachine without the inline contents of its cloud-init volumes (a copy where it
    has cloud-init volumes; the object read from the cluster is left as it is)."""
    template = (vm.get("spec") or {}).get("template") or {}
    volumes = (template.get("spec") or {}).get("volumes") or []
    if not any(isinstance(v.get(kind), dict) for v in volumes for kind in CLOUD_INIT_VOLUMES):
        return vm
    kept = [{key: ({k: x for k, x in value.items() if k not in CLOUD_INIT_SECRETS}
                   if key in CLOUD_INIT_VOLUMES and isinstance(value, dict) else value)
             for key, value in volume.items()} for volume in volumes]
    spec = {**vm["spec"], "template": {**template, "spec": {**template["spec"], "volumes": kept}}}
    return {**vm, "spec": spec}


def run_strategy(spec: dict) -> str:
    if spec.get("runStrategy"):
        return spec["runStrategy"]
    if "running" in spec:
        return "Always" if spec["running"] else "Halted"
    return ""


def cpu_count(domain: dict) -> tuple[int | None, int | None]:
    cpu = domain.get("cpu")
    if cpu:
        cores, sockets, threads = (cpu.get(k) or 1 for k in ("cores", "sockets", "threads"))
        return cores * sockets * threads, cores
    resources = domain.get("resources") or {}
    requested = quantity((resources.get("requests") or {}).get("cpu") or (resources.get("limits") or {}).get("cpu"))
    return requested, None


def memory_mb(domain: dict) -> int | None:
    resources = domain.get("resources") or {}
    size = quantity(
        (domain.get("memory") or {}).get("guest")
        or (resources.get("requests") or {}).get("memory")
        or (resources.get("limits") or {}).get("memory")
    )
    return None if size is None else -(-size // (1024 * 1024))


def guest_name(vm: dict, instance: dict | None) -> str:
    if instance and instance.get("guestOS"):
        return instance["guestOS"]
    meta = vm.get("metadata", {})
    if (meta.get("annotations") or {}).get("vm.kubevirt.io/os"):
        return meta["annotations"]["vm.kubevirt.io/os"]
    for label in meta.get("labels") or {}:
        if label.startswith("os.template.kubevirt.io/"):
            return label.rsplit("/", 1)[1]
    return (vm.get("spec", {}).get("preference") or {}).get("name", "")


class VMBuilder:
    """Builds one VM's Item and records what it depends on, so a change to a PVC, DataVolume,
    VMI, NAD, storage class or namespace rebuilds exactly the VMs that refer to it."""

    def __init__(self, vm: dict, lookup: Lookup):
        self.vm = vm
        self.lookup = lookup
        self.namespace = vm["metadata"].get("namespace", "")
        self.name = vm["metadata"]["name"]
        self.depends: set[tuple[str, str, str]] = {("instances", self.namespace, self.name),
                                                  ("namespaces", "", self.namespace)}

    def item(self) -> Item:
        vm, lookup = self.vm, self.lookup
        spec = vm.get("spec", {})
        template = (spec.get("template") or {}).get("spec") or {}
        domain = template.get("domain") or {}
        devices = domain.get("devices") or {}
        instance = lookup.instances.get((self.namespace, self.name))
        cpus, cores = cpu_count(domain)
        memory = memory_mb(domain)
        sized = self.instancetype(spec.get("instancetype"))
        if sized is not None:  # KubeVirt refuses CPU and memory in the VM when an instancetype sets them
            cpus, cores = sized.get("cpus"), None
            memory = None if sized.get("memory") is None else -(-sized["memory"] // (1024 * 1024))
        bootloader = (domain.get("firmware") or {}).get("bootloader") or {}
        nics = self.nics(devices.get("interfaces") or [], template.get("networks") or [], instance)
        networks = []
        for nic in nics:
            if nic["network"] not in networks:
                networks.append(nic["network"])
        data = {
            **resource(vm, f"/{self.namespace}/{self.name}"),
            "powerState": power_state(vm),
            "status": vm.get("status", {}).get("printableStatus", ""),
            "runStrategy": run_strategy(spec),
            "cpuCount": cpus,
            "coresPerSocket": cores,
            "memoryMB": memory,
            "firmware": "efi" if "efi" in bootloader else "bios",
            "secureBoot": bool((bootloader.get("efi") or {}).get("secureBoot", "efi" in bootloader)),
            "machineType": (domain.get("machine") or {}).get("type", ""),
            "guestName": guest_name(vm, instance),
            "instancetype": spec.get("instancetype"),
            "preference": spec.get("preference"),
            "disks": self.disks(devices.get("disks") or [], template.get("volumes") or [], spec),
            "nics": nics,
            "networks": networks,
            "hostDevices": [
                {"kind": kind, "name": d.get("name", ""), "deviceName": d.get("deviceName", "")}
                for kind, plural in (("hostDevice", "hostDevices"), ("gpu", "gpus"))
                for d in devices.get(plural) or []
            ],
            "tpm": devices.get("tpm") is not None,
            "host": (instance or {}).get("nodeName", ""),
            "isTemplate": False,
            "object": without_secrets(trimmed(vm)),
        }
        namespace_uid = lookup.namespaces.get(self.namespace, "")
        return Item(
            kind="vm", uid=data["uid"], name=self.name, data=data, path=data["path"],
            parent_kind="folder" if namespace_uid else "", parent_uid=namespace_uid,
            power_state=data["powerState"], host_uid=data["host"], folder_uid=namespace_uid,
        )

    def instancetype(self, ref: dict | None) -> dict | None:
        """The CPU and memory of the instancetype the VM refers to (cluster-wide unless kind says otherwise)."""
        if not ref or not ref.get("name"):
            return None
        if (ref.get("kind") or "").lower() == "virtualmachineinstancetype":
            dependency = ("instancetypes", self.namespace, ref["name"])
        else:
            dependency = ("cluster_instancetypes", "", ref["name"])
        self.depends.add(dependency)
        return getattr(self.lookup, dependency[0]).get(dependency[1:])

    # --- disks ---------------------------------------------------------------------------

    def disks(self, disks: list, volumes: list, spec: dict) -> list[dict]:
        by_name = {v.get("name"): v for v in volumes}
        templates = {
            (t.get("metadata") or {}).get("name"): data_volume_summary(t) for t in spec.get("dataVolumeTemplates") or []
        }
        return [self.disk(d, by_name.get(d.get("name"), {}), templates) for d in disks]

    def disk(self, disk: dict, volume: dict, templates: dict) -> dict:
        kind = next((k for k in DISK_KINDS if k in disk), "disk")
        target = disk.get(kind) or {}
        volume_type = next((k for k in volume if k != "name"), "")
        record = {
            "name": disk.get("name", ""),
            "kind": kind,
            "bus": target.get("bus", ""),
            "bootOrder": disk.get("bootOrder"),
            "serial": disk.get("serial", ""),
            "shared": bool(disk.get("shareable")),
            "readOnly": bool(target.get("readonly")),
            "volumeType": volume_type,
            "capacity": 0,
            "format": "raw" if volume_type in CLAIM_VOLUMES else "",
        }
        source = volume.get(volume_type) or {}
        if volume_type in CLAIM_VOLUMES:
            record.update(self.claim_facts(volume_type, source, templates))
        elif volume_type == "containerDisk":
            record["image"] = source.get("image", "")
        elif volume_type == "emptyDisk":
            record["capacity"] = quantity(source.get("capacity")) or 0
        return record

    def claim_facts(self, volume_type: str, source: dict, templates: dict) -> dict:
        """Size, storage class and modes of the PVC behind a volume (a DataVolume's PVC has its name)."""
        ns = self.namespace
        name = source.get("claimName") if volume_type == "persistentVolumeClaim" else source.get("name")
        self.depends.add(("claims", ns, name))
        claim = self.lookup.claims.get((ns, name)) or {}
        data_volume = {}
        if volume_type == "dataVolume":
            self.depends.add(("data_volumes", ns, name))
            data_volume = self.lookup.data_volumes.get((ns, name)) or templates.get(name) or {}
        storage_class = claim.get("storageClass") or data_volume.get("storageClass") or ""
        if storage_class:
            self.depends.add(("storage_classes", "", storage_class))
        return {
            "claim": {"namespace": ns, "name": name, "uid": claim.get("uid", "")},
            "capacity": claim.get("capacity") or claim.get("requested") or data_volume.get("requested") or 0,
            "storageClass": storage_class,
            "storage": {
                "kind": "StorageClass", "name": storage_class,
                "id": self.lookup.storage_classes.get(storage_class, ""),
            },
            "volumeMode": claim.get("volumeMode") or data_volume.get("volumeMode") or "",
            "accessModes": claim.get("accessModes") or data_volume.get("accessModes") or [],
            "phase": claim.get("phase") or data_volume.get("phase") or "Missing",
        }

    # --- NICs ----------------------------------------------------------------------------

    def nics(self, interfaces: list, networks: list, instance: dict | None) -> list[dict]:
        by_name = {n.get("name"): n for n in networks}
        running = {i.get("name"): i for i in (instance or {}).get("interfaces", [])}
        result = []
        for interface in interfaces:
            name = interface.get("name", "")
            seen = running.get(name, {})
            result.append({
                "name": name,
                "mac": (interface.get("macAddress") or seen.get("mac") or "").lower(),
                "model": interface.get("model", "virtio"),
                "binding": next((b for b in BINDINGS if b in interface), (interface.get("binding") or {}).get("name", "")),
                "network": self.network(by_name.get(name, {})),
                "ipAddress": seen.get("ipAddress", ""),
                "ipAddresses": seen.get("ipAddresses", []),
            })
        return result

    def network(self, network: dict) -> dict:
        if "multus" in network:
            ref = network["multus"].get("networkName", "")
            ns, _, name = ref.rpartition("/")
            ns = ns or self.namespace
            self.depends.add(("nads", ns, name))
            return {"type": "multus", "namespace": ns, "name": name, "id": self.lookup.nads.get((ns, name), "")}
        if "pod" in network:
            return {"type": "pod"}
        return {"type": ""}

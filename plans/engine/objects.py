"""The objects the engine creates in the target cluster, as plain manifests: a disk's
PersistentVolumeClaim, the Pod that fills it with what that Pod may do and read (its account,
a Role naming only its VM's transfer Pods, the Secret with the source's credentials), the
guest-conversion Pod and its account without API rights, and the VirtualMachine. Everything
carries labels that lead back to the plan, the migration and the source VM, so cleanup and log
collection find it by label, and a step run again knows its own objects (kube.is_ours).

Pods run as the restricted Pod Security profile asks: not as root (the image's user), no
privilege escalation, no capabilities, the runtime's default seccomp profile."""

from __future__ import annotations

import math

from django.conf import settings

from plans.settings import ControllerSettings
from providers.adapters.source import DiskSource, SourceVM

PLAN_LABEL, MIGRATION_LABEL, VM_LABEL = "mtvweb.io/plan", "mtvweb.io/migration", "mtvweb.io/vm"
PROGRESS_ANNOTATION = "mtvweb.io/progress"
FILESYSTEM_MOUNT, BLOCK_DEVICE = "/target", "/dev/target"
POD_SECURITY = {"runAsNonRoot": True, "seccompProfile": {"type": "RuntimeDefault"}}
CONTAINER_SECURITY = {"allowPrivilegeEscalation": False, "capabilities": {"drop": ["ALL"]}}
KVM_DEVICE = "devices.kubevirt.io/kvm"  # KubeVirt's device plugin hands out /dev/kvm by this resource


def labels(plan, migration, vm_id: str) -> dict:
    return {PLAN_LABEL: str(plan.pk), MIGRATION_LABEL: str(migration.pk), VM_LABEL: safe_label(vm_id)}


def safe_label(value: str) -> str:
    """A label value: 63 characters of [A-Za-z0-9-_.], starting and ending alphanumeric."""
    cleaned = "".join(c if c.isalnum() or c in "-_." else "-" for c in value)[:63]
    return cleaned.strip("-_.") or "x"


def claim_size(capacity: int, volume_mode: str, controller: ControllerSettings) -> int:
    """The PVC request: the disk plus the filesystem overhead (Filesystem) or the block overhead
    (Block), rounded up to whole MiB."""
    if volume_mode == "Block":
        size = capacity + controller.block_overhead_bytes
    else:
        size = math.ceil(capacity * (100 + controller.filesystem_overhead_percent) / 100)
    return math.ceil(size / 2**20) * 2**20


def disk_claim(name: str, disk: DiskSource, target: dict, common: dict, controller: ControllerSettings) -> dict:
    """target: {storageClass, accessMode, volumeMode} from the storage map."""
    mode = target.get("volumeMode") or "Filesystem"
    return {
        "apiVersion": "v1", "kind": "PersistentVolumeClaim",
        "metadata": {"name": name, "labels": common,
                     "annotations": {"mtvweb.io/source-disk": disk.id, "mtvweb.io/capacity": str(disk.capacity)}},
        "spec": {"accessModes": [target.get("accessMode") or "ReadWriteOnce"], "volumeMode": mode,
                 "storageClassName": target["storageClass"],
                 "resources": {"requests": {"storage": str(claim_size(disk.capacity, mode, controller))}}},
    }


def target_path(volume_mode: str) -> str:
    return BLOCK_DEVICE if volume_mode == "Block" else f"{FILESYSTEM_MOUNT}/disk.img"


def transfer_pod(name: str, claim: str, volume_mode: str, disk: DiskSource, secret: str, common: dict,
                 transfer_network: str = "", account: str = "") -> dict:
    """account: the ServiceAccount of the VM's transfer Pods (transfer_rights), which may update
    their progress annotation."""
    args = ["--disk-id", disk.id, "--size", str(disk.capacity), "--target", target_path(volume_mode), "--resume",
            *disk.reader_args]
    args += ["--retry-wait", str(settings.MTVWEB_TRANSFER_RETRY_WAIT)]
    if settings.MTVWEB_TRANSFER_MAX_RATE:
        args += ["--max-rate", str(settings.MTVWEB_TRANSFER_MAX_RATE)]
    container = {
        "name": "transfer", "image": settings.MTVWEB_IMAGE,
        "command": ["python", "-m", "mtvweb.pods.transfer", *args],
        "env": [{"name": "POD_NAME", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}},
                {"name": "POD_NAMESPACE", "valueFrom": {"fieldRef": {"fieldPath": "metadata.namespace"}}}],
        "envFrom": [{"secretRef": {"name": secret}}] if secret else [],
        "terminationMessagePolicy": "FallbackToLogsOnError",
        "resources": {"requests": {"cpu": "100m", "memory": "150Mi"}, "limits": {"memory": "1Gi"}},
        "securityContext": CONTAINER_SECURITY,
    }
    volumes = [{"name": "target", "persistentVolumeClaim": {"claimName": claim}}]
    if volume_mode == "Block":
        # A Block volume has no room for the checkpoint: it goes to an emptyDir, which lives as long
        # as the Pod, so a restarted container resumes where the last one stopped.
        container["volumeDevices"] = [{"name": "target", "devicePath": BLOCK_DEVICE}]
        container["volumeMounts"] = [{"name": "work", "mountPath": "/scratch"}]
        container["command"] += ["--checkpoint", "/scratch/disk.checkpoint"]
        volumes.append({"name": "work", "emptyDir": {}})
    else:
        container["volumeMounts"] = [{"name": "target", "mountPath": FILESYSTEM_MOUNT}]
    for index, mount in enumerate(disk.mounts):
        volumes.append({"name": f"source-{index}", **mount["volume"]})
        container.setdefault("volumeMounts", []).append({"name": f"source-{index}", "mountPath": mount["path"],
                                                         "readOnly": True})
    volumes += disk.volumes
    if disk.transfer_mounts:
        container.setdefault("volumeMounts", []).extend(disk.transfer_mounts)
    annotations = {"k8s.v1.cni.cncf.io/networks": transfer_network} if transfer_network else {}
    spec = {"restartPolicy": "OnFailure", "serviceAccountName": account, "securityContext": POD_SECURITY,
            "containers": [container], "volumes": volumes}
    if disk.init_containers:  # e.g. the VDDK image copying its library (the guide's image runs as user 1001)
        spec["initContainers"] = [{**c, "securityContext": {**CONTAINER_SECURITY, **c.get("securityContext", {})}}
                                  for c in disk.init_containers]
    return {
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": name, "labels": {**common, "mtvweb.io/role": "transfer"}, "annotations": annotations},
        "spec": spec,
    }


def conversion_pod(name: str, vm: SourceVM, claims: list[tuple[str, str]], common: dict, kvm: bool = True,
                   account: str = "") -> dict:
    """virt-v2v-in-place over the VM's disks (mtvweb.pods.convert), told the VM's firmware, memory,
    CPUs and MACs. claims: (claim name, volume mode) in disk order. It opens untrusted guest disks,
    so it gets an account without API rights and no token at all; virt-v2v needs no root
    (libguestfs' direct backend runs its appliance as the same user). kvm: request KubeVirt's KVM
    device as Forklift's conversion Pods do; without it, libguestfs emulates (TCG)."""
    paths = [target_path(mode).replace("target", f"disk{i}") for i, (_, mode) in enumerate(claims)]
    command = ["python", "-m", "mtvweb.pods.convert", "--name", vm.name, "--firmware", vm.firmware,
               "--memory-mib", str(vm.memory_mib), "--vcpus", str(max(1, vm.sockets * vm.cores))]
    command += [arg for nic in vm.nics if nic.mac for arg in ("--mac", nic.mac)]
    command += [*([] if kvm else ["--no-kvm"]), "--disks", *paths]
    container = {"name": "convert", "image": settings.MTVWEB_IMAGE, "command": command,
                 "env": [{"name": "MTVWEB_CONVERT_WORK", "value": "/var/tmp/convert"}],
                 "volumeMounts": [{"name": "work", "mountPath": "/var/tmp/convert"}],
                 "terminationMessagePolicy": "FallbackToLogsOnError", "securityContext": CONTAINER_SECURITY}
    if kvm:
        container["resources"] = {"requests": {KVM_DEVICE: "1"}, "limits": {KVM_DEVICE: "1"}}
    volumes = [{"name": "work", "emptyDir": {}}]  # the libguestfs appliance and the VM's description
    for index, (claim, mode) in enumerate(claims):
        volumes.append({"name": f"disk{index}", "persistentVolumeClaim": {"claimName": claim}})
        if mode == "Block":
            container.setdefault("volumeDevices", []).append({"name": f"disk{index}", "devicePath": f"/dev/disk{index}"})
        else:
            container["volumeMounts"].append({"name": f"disk{index}", "mountPath": f"/disk{index}"})
    return {"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": name, "labels": {**common, "mtvweb.io/role": "conversion"}},
            "spec": {"restartPolicy": "Never", "serviceAccountName": account, "automountServiceAccountToken": False,
                     "securityContext": POD_SECURITY, "containers": [container], "volumes": volumes}}


def service_account(name: str, common: dict, token: bool) -> dict:
    return {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": name, "labels": common},
            "automountServiceAccountToken": token}


def transfer_role(name: str, pods: list[str], common: dict) -> dict:
    """What a VM's transfer Pods may do with the API: read and annotate themselves, by name."""
    return {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role", "metadata": {"name": name, "labels": common},
            "rules": [{"apiGroups": [""], "resources": ["pods"], "resourceNames": pods, "verbs": ["get", "patch"]}]}


def role_binding(name: str, namespace: str, common: dict) -> dict:
    """Role `name` for ServiceAccount `name`."""
    return {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
            "metadata": {"name": name, "labels": common},
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": name},
            "subjects": [{"kind": "ServiceAccount", "name": name, "namespace": namespace}]}


def secret(name: str, data: dict, common: dict) -> dict:
    return {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": name, "labels": common}, "type": "Opaque",
            "data": data}


def virtual_machine(name: str, vm: SourceVM, claims: list[str], networks: list[dict], common: dict,
                    running: bool) -> dict:
    """networks: per NIC, {"type": "pod"|"multus", "name": "ns/name"} from the network map (NICs on
    ignored networks are left out by the caller)."""
    disks, volumes = [], []
    for index, (disk, claim) in enumerate(zip(vm.disks, claims, strict=True)):
        disks.append({"name": f"disk{index}", "disk": {"bus": disk.bus}, **({"bootOrder": 1} if index == 0 else {})})
        volumes.append({"name": f"disk{index}", "persistentVolumeClaim": {"claimName": claim}})
    interfaces, nets = [], []
    for index, (nic, network) in enumerate(zip(vm.nics, networks, strict=True)):
        binding = {"masquerade": {}} if network["type"] == "pod" else {"bridge": {}}
        mac = {"macAddress": nic.mac} if nic.mac else {}  # none known (an OVF without one): KubeVirt picks
        interfaces.append({"name": f"net{index}", **mac, "model": nic.model, **binding})
        nets.append({"name": f"net{index}", "pod": {}} if network["type"] == "pod"
                    else {"name": f"net{index}", "multus": {"networkName": network["name"]}})
    firmware = {"bootloader": {"efi": {"secureBoot": False}} if vm.firmware == "efi" else {"bios": {}}}
    return {
        "apiVersion": "kubevirt.io/v1", "kind": "VirtualMachine",
        "metadata": {"name": name, "labels": common,
                     "annotations": {"mtvweb.io/source-vm": vm.id, "mtvweb.io/source-name": vm.name}},
        "spec": {
            "runStrategy": "Always" if running else "Halted",
            "template": {
                "metadata": {"labels": common},
                "spec": {
                    "domain": {"cpu": {"sockets": vm.sockets, "cores": vm.cores, "threads": 1},
                               "memory": {"guest": f"{vm.memory_mib}Mi"},
                               "firmware": firmware,
                               "devices": {"disks": disks, "interfaces": interfaces}},
                    "networks": nets, "volumes": volumes,
                },
            },
        },
    }

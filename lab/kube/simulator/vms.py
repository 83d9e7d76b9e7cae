"""What virt-controller/virt-handler do with VirtualMachines; guests run only when a disk holds one.

A VM that should run (runStrategy Always/RerunOnFailure/Once, or running: true) gets a
VirtualMachineInstance owned by it (so the real garbage collector removes it with the
VM); the VMI goes Running on a node with one status.interfaces entry per interface
(name and MAC from the spec). A volume whose PVC (or DataVolume) is missing keeps the
VMI Pending with KubeVirt's condition and the VM shows ErrorPvcNotFound. A VM that
should not run (Halted, running: false) loses its VMI and shows Stopped.

A VMI whose first disk holds a bootable guest (the lab's real guest, lab/guest) is booted for
real by a virt-launcher Pod (launcher.py, guestboot.py): Scheduled while it boots, Running once
the guest's marker reaches the console, Failed with the console's last lines if it never does.
"""

from __future__ import annotations

import hashlib
import logging
import threading

from kubernetes import client
from kubernetes.client.exceptions import ApiException

from lab.kube.simulator.config import Config
from lab.kube.simulator.events import EventRecorder, now
from lab.kube.simulator.guestboot import GuestBoots

log = logging.getLogger(__name__)

GROUP, VERSION = "kubevirt.io", "v1"
CDI_GROUP, CDI_VERSION = "cdi.kubevirt.io", "v1beta1"


def should_run(vm: dict, has_vmi: bool) -> bool:
    spec = vm["spec"]
    strategy = spec.get("runStrategy")
    if strategy is None:
        return bool(spec.get("running"))
    if strategy == "Manual":
        return has_vmi  # started/stopped only by the user (virtctl): leave things as they are
    return strategy in ("Always", "RerunOnFailure", "Once")


def generated_mac(namespace: str, vm: str, interface: str) -> str:
    """A stable locally administered MAC for interfaces that do not set one."""
    digest = hashlib.sha256(f"{namespace}/{vm}/{interface}".encode()).digest()
    return "02:" + ":".join(f"{b:02x}" for b in digest[:5])


class VirtualMachineController:
    def __init__(self, config: Config):
        self.config = config
        self.api = config.api_client()
        self.custom = client.CustomObjectsApi(self.api)
        self.core = client.CoreV1Api(self.api)
        self.events = EventRecorder(self.api, "virt-controller")
        self.nodes = [n.name for n in config.nodes]
        self.lock = threading.Lock()
        self.waiting: set[tuple[str, str]] = set()  # VMs waiting for volumes or a boot: re-checked by tick()
        self.guests = GuestBoots(config, self.api)

    # --- VirtualMachines -------------------------------------------------------------------

    def on_vm(self, kind: str, vm: dict) -> None:
        if kind == "DELETED" or vm["metadata"].get("deletionTimestamp"):
            self.waiting.discard((vm["metadata"]["namespace"], vm["metadata"]["name"]))
            return
        with self.lock:
            self._reconcile(vm)

    def on_vmi(self, kind: str, vmi: dict) -> None:
        owner = next(
            (o for o in vmi["metadata"].get("ownerReferences") or [] if o["kind"] == "VirtualMachine"), None
        )
        if owner is None or kind == "SYNC":
            return
        vm = self._get("virtualmachines", vmi["metadata"]["namespace"], owner["name"])
        if vm and vm["metadata"]["uid"] == owner["uid"] and not vm["metadata"].get("deletionTimestamp"):
            with self.lock:
                self._reconcile(vm)

    def tick(self) -> None:
        for namespace, name in list(self.waiting):
            vm = self._get("virtualmachines", namespace, name)
            if vm is None:
                self.waiting.discard((namespace, name))
                continue
            with self.lock:
                self._reconcile(vm)

    def _reconcile(self, vm: dict) -> None:
        meta = vm["metadata"]
        key = (meta["namespace"], meta["name"])
        vmi = self._get("virtualmachineinstances", meta["namespace"], meta["name"])
        if vmi and vmi["metadata"].get("ownerReferences", [{}])[0].get("uid") != meta["uid"]:
            vmi = None  # a VMI of an earlier VM of the same name, waiting for GC
        if not should_run(vm, vmi is not None):
            self.waiting.discard(key)
            if vmi and not vmi["metadata"].get("deletionTimestamp"):
                self._delete_vmi(meta["namespace"], meta["name"])
                self.events.record(
                    vm,
                    "VirtualMachine",
                    "Normal",
                    "SuccessfulDelete",
                    f"Stopped the virtual machine by deleting the virtual machine instance {meta['uid']}",
                    api_version="kubevirt.io/v1",
                )
            self._set_vm_status(
                vm,
                "Stopping" if vmi else "Stopped",
                ready=False,
                created=bool(vmi),
                condition=("False", "VMINotExists", "VMI does not exist"),
            )
            return
        problem = self._volume_problem(vm)
        if vmi is None:
            vmi = self._create_vmi(vm)
            if vmi is None:
                return
        if not problem and self._guest_boot(vm, vmi, key):
            return
        self._set_vmi_status(vmi, vm, problem)
        if problem:
            self.waiting.add(key)
            printable, reason, message = problem
            self._set_vm_status(
                vm, printable, ready=False, created=True, condition=("False", reason, message)
            )
        else:
            self.waiting.discard(key)
            self._set_vm_status(vm, "Running", ready=True, created=True, condition=("True", None, None))

    # --- real guests (launcher.py) ---------------------------------------------------------

    def _guest_boot(self, vm: dict, vmi: dict, key: tuple[str, str]) -> bool:
        """Handle a VMI whose disk holds a bootable guest; False leaves it to the fast path."""
        old = vmi.get("status") or {}
        if old.get("phase") == "Running":
            return False
        if old.get("phase") == "Failed":
            self.waiting.discard(key)
            message = (old.get("conditions") or [{}])[0].get("message", "")
            self._set_vm_status(vm, "Stopped", ready=False, created=True,
                                condition=("False", "GuestNotBooted", message))
            return True
        result = self.guests.state(vmi, self._node(vmi))
        if result is None or result[0] == "running":
            return False  # the fast path sets it Running (interfaces and MACs from the spec)
        self.waiting.add(key)  # tick() reads the console again
        kind, detail = result
        phase, reason = ("Scheduled", "GuestBooting") if kind == "booting" else ("Failed", "GuestNotBooted")
        message = "the guest is booting (virt-launcher runs QEMU)" if kind == "booting" else detail
        if old.get("phase") != phase:
            self.custom.patch_namespaced_custom_object_status(
                GROUP, VERSION, vmi["metadata"]["namespace"], "virtualmachineinstances", vmi["metadata"]["name"],
                {"status": {"phase": phase, "nodeName": self._node(vmi), "conditions": [
                    {"type": "Ready", "status": "False", "reason": reason, "message": message,
                     "lastProbeTime": None, "lastTransitionTime": now()}]}},
            )
        printable = "Starting" if kind == "booting" else "Stopped"
        self._set_vm_status(vm, printable, ready=False, created=True, condition=("False", reason, message))
        return True

    def _node(self, vmi: dict) -> str:
        return self.nodes[int(hashlib.sha256(vmi["metadata"]["uid"].encode()).hexdigest(), 16) % len(self.nodes)]

    # --- volumes ---------------------------------------------------------------------------

    def _volume_problem(self, vm: dict) -> tuple[str, str, str] | None:
        namespace = vm["metadata"]["namespace"]
        for volume in vm["spec"]["template"]["spec"].get("volumes") or []:
            if "dataVolume" in volume:
                name = volume["dataVolume"]["name"]
                templates = {t["metadata"]["name"] for t in vm["spec"].get("dataVolumeTemplates") or []}
                if (
                    name not in templates
                    and self._get("datavolumes", namespace, name, CDI_GROUP, CDI_VERSION) is None
                ):
                    return (
                        "ErrorDataVolumeNotFound",
                        "FailedDataVolumeNotFound",
                        f"DataVolume {namespace}/{name} does not exist, waiting for it to appear",
                    )
            elif "persistentVolumeClaim" in volume:
                name = volume["persistentVolumeClaim"]["claimName"]
            else:
                continue
            try:
                pvc = self.core.read_namespaced_persistent_volume_claim(name, namespace)
            except ApiException as exc:
                if exc.status != 404:
                    raise
                return (
                    "ErrorPvcNotFound",
                    "FailedPvcNotFound",
                    f"PVC {namespace}/{name} does not exist, waiting for it to appear",
                )
            if pvc.status.phase != "Bound":
                return (
                    "WaitingForVolumeBinding",
                    "WaitingForVolumeBinding",
                    f"PVC {namespace}/{name} is not bound yet",
                )
        return None

    # --- VirtualMachineInstances -----------------------------------------------------------

    def _create_vmi(self, vm: dict) -> dict | None:
        meta, template = vm["metadata"], vm["spec"]["template"]
        template_meta = template.get("metadata") or {}
        labels = {**(template_meta.get("labels") or {}), "kubevirt.io/vm": meta["name"]}
        body = {
            "apiVersion": f"{GROUP}/{VERSION}",
            "kind": "VirtualMachineInstance",
            "metadata": {
                "name": meta["name"],
                "namespace": meta["namespace"],
                "labels": labels,
                "annotations": template_meta.get("annotations") or {},
                "ownerReferences": [
                    {
                        "apiVersion": f"{GROUP}/{VERSION}",
                        "kind": "VirtualMachine",
                        "name": meta["name"],
                        "uid": meta["uid"],
                        "controller": True,
                        "blockOwnerDeletion": True,
                    }
                ],
            },
            "spec": template["spec"],
        }
        try:
            vmi = self.custom.create_namespaced_custom_object(
                GROUP, VERSION, meta["namespace"], "virtualmachineinstances", body
            )
        except ApiException as exc:
            if exc.status == 403 and "being terminated" in str(exc.body or ""):
                return None  # the namespace is going away, the VM with it
            raise
        self.events.record(
            vm,
            "VirtualMachine",
            "Normal",
            "SuccessfulCreate",
            f"Started the virtual machine by creating the new virtual machine instance {meta['name']}",
            api_version="kubevirt.io/v1",
        )
        return vmi

    def _set_vmi_status(self, vmi: dict, vm: dict, problem) -> None:
        meta, spec = vmi["metadata"], vmi["spec"]
        old = vmi.get("status") or {}
        if problem:
            old_message = (old.get("conditions") or [{}])[0].get("message")
            if old.get("phase") == "Pending" and old_message == problem[2]:
                return
            status = {
                "phase": "Pending",
                "conditions": [
                    {
                        "type": "Synchronized",
                        "status": "False",
                        "reason": problem[1],
                        "message": problem[2],
                        "lastProbeTime": None,
                        "lastTransitionTime": now(),
                    }
                ],
                "interfaces": None,
                "nodeName": None,
            }
        elif old.get("phase") == "Running":
            return
        else:
            node = self._node(vmi)
            interfaces = spec["domain"].get("devices", {}).get("interfaces") or []
            stamp = now()
            status = {
                "phase": "Running",
                "nodeName": node,
                "conditions": [
                    {"type": "Ready", "status": "True", "lastProbeTime": None, "lastTransitionTime": stamp},
                    {
                        "type": "LiveMigratable",
                        "status": "True",
                        "lastProbeTime": None,
                        "lastTransitionTime": stamp,
                    },
                ],
                "phaseTransitionTimestamps": [{"phase": "Running", "phaseTransitionTimestamp": stamp}],
                "interfaces": [
                    {
                        "name": iface["name"],
                        "mac": iface.get("macAddress")
                        or generated_mac(meta["namespace"], meta["name"], iface["name"]),
                        "interfaceName": f"eth{index}",
                        "infoSource": "domain",
                        "queueCount": 1,
                        "linkState": "up",
                    }
                    for index, iface in enumerate(interfaces)
                ],
                "guestOSInfo": {},
                "qosClass": "Burstable",
                "migrationMethod": "BlockMigration",
                "launcherContainerImageVersion": "lab://virt-launcher",
                "runtimeUser": 107,
                "volumeStatus": [
                    {"name": v["name"], "target": f"vd{chr(ord('a') + i)}"}
                    for i, v in enumerate(spec.get("volumes") or [])
                ],
            }
        self.custom.patch_namespaced_custom_object_status(
            GROUP, VERSION, meta["namespace"], "virtualmachineinstances", meta["name"], {"status": status}
        )

    def _delete_vmi(self, namespace: str, name: str) -> None:
        try:
            self.custom.delete_namespaced_custom_object(
                GROUP, VERSION, namespace, "virtualmachineinstances", name
            )
        except ApiException as exc:
            if exc.status != 404:
                raise

    # --- VirtualMachine status -------------------------------------------------------------

    def _set_vm_status(self, vm: dict, printable: str, ready: bool, created: bool, condition) -> None:
        meta, old = vm["metadata"], vm.get("status") or {}
        status_value, reason, message = condition
        old_ready = next((c for c in old.get("conditions") or [] if c["type"] == "Ready"), {})
        ready_condition = {
            "type": "Ready",
            "status": status_value,
            "lastProbeTime": None,
            "lastTransitionTime": old_ready.get("lastTransitionTime")
            if old_ready.get("status") == status_value
            else now(),
        }
        if reason:
            ready_condition.update(reason=reason, message=message)
        status = {
            "printableStatus": printable,
            "ready": ready,
            "created": created,
            "conditions": [ready_condition],
            "desiredGeneration": meta.get("generation"),
            "observedGeneration": meta.get("generation"),
            "runStrategy": vm["spec"].get("runStrategy")
            or ("Always" if vm["spec"].get("running") else "Halted"),
        }
        if all(old.get(k) == v for k, v in status.items() if k != "conditions") and {
            k: old_ready.get(k) for k in ("status", "reason", "message")
        } == {k: ready_condition.get(k) for k in ("status", "reason", "message")}:
            return
        self.custom.patch_namespaced_custom_object_status(
            GROUP, VERSION, meta["namespace"], "virtualmachines", meta["name"], {"status": status}
        )

    def _get(
        self, plural: str, namespace: str, name: str, group: str = GROUP, version: str = VERSION
    ) -> dict | None:
        try:
            return self.custom.get_namespaced_custom_object(group, version, namespace, plural, name)
        except ApiException as exc:
            if exc.status == 404:
                return None
            raise

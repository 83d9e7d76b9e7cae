"""Shared by the engine tests: hash what arrived in the lab cluster's volumes, list what a plan
left in its namespace, run the engine on threads of the test process."""

import logging
import threading
import time
from pathlib import Path

import blake3

CHUNK = 16 << 20


def blake3_of(path: Path, size: int) -> str:
    """BLAKE3 of the file's first `size` bytes (zeros past its end), on every core."""
    hasher = blake3.blake3(max_threads=blake3.blake3.AUTO)
    with open(path, "rb") as f:
        remaining = size
        while remaining:
            block = f.read(min(CHUNK, remaining))
            if not block:
                hasher.update(bytes(remaining))  # past the end of a sparse file: zeros
                break
            hasher.update(block)
            remaining -= len(block)
    return hasher.hexdigest()


def claim_file(core, namespace: str, claim: str, volume_mode: str) -> Path:
    """The file holding a claim's bytes in the lab: the Block volume's image, or disk.img in a
    Filesystem volume."""
    pvc = core.read_namespaced_persistent_volume_claim(claim, namespace)
    backing = Path(pvc.metadata.annotations["lab.mtvweb/path"])
    return backing if volume_mode == "Block" else backing / "disk.img"


CLASSES = {"LocalDS_0": ("ocs-storagecluster-ceph-rbd", "ReadWriteMany", "Block"),
           "LocalDS_1": ("ocs-storagecluster-cephfs", "ReadWriteMany", "Filesystem")}


def vsphere_plan(source, host, vm_names, target_namespace, name="wave", skip_guest_conversion=True):
    """A plan in team-a for the lab's vSphere VMs: DPG-Prod to the NAD mtv-user/vlan-100, other
    networks to the pod network; LocalDS_0 to a Block class, LocalDS_1 to a Filesystem one. Their
    disks hold no guest, which virt-v2v rightly refuses: the plan copies them raw unless told not to."""
    from mappings.models import NetworkMap, NetworkPair, StorageMap, StoragePair
    from plans.models import Plan, PlanVM
    from providers.models import InventoryObject, VirtualMachine

    vms = [VirtualMachine.objects.get(provider=source, name=n) for n in vm_names]
    names = dict(InventoryObject.objects.filter(provider=source, kind__in=["network", "storage"])
                 .values_list("uid", "name"))
    network_map = NetworkMap.objects.create(namespace="team-a", name=f"{name}-nets", source_provider=source,
                                            destination_provider=host)
    for network in {n["network"]["id"] for vm in vms for n in vm.data["nics"]}:
        multus = names[network] == "DPG-Prod"
        NetworkPair.objects.create(map=network_map, source_id=network, source_name=names[network],
                                   destination_type="multus" if multus else "pod",
                                   destination_namespace="mtv-user" if multus else "",
                                   destination_name="vlan-100" if multus else "")
    storage_map = StorageMap.objects.create(namespace="team-a", name=f"{name}-disks", source_provider=source,
                                            destination_provider=host)
    for datastore in {d["datastore"]["id"] for vm in vms for d in vm.data["disks"]}:
        storage_class, access, volume = CLASSES.get(names[datastore], CLASSES["LocalDS_0"])
        StoragePair.objects.create(map=storage_map, source_id=datastore, source_name=names[datastore],
                                   storage_class=storage_class, access_mode=access, volume_mode=volume)
    plan = Plan.objects.create(namespace="team-a", name=name, source_provider=source, destination_provider=host,
                               target_namespace=target_namespace, network_map=network_map, storage_map=storage_map,
                               skip_guest_conversion=skip_guest_conversion)
    for vm in vms:
        PlanVM.objects.create(plan=plan, vm_id=vm.uid, name=vm.name)
    return plan


def plan_objects(core, custom, plan) -> dict:
    """The names of what carries the plan's label in its target namespace, by kind."""
    from kubernetes import client

    selector, ns = f"mtvweb.io/plan={plan.pk}", plan.target_namespace
    rbac = client.RbacAuthorizationV1Api(core.api_client)
    return {
        "pods": [p.metadata.name for p in core.list_namespaced_pod(ns, label_selector=selector).items],
        "claims": [c.metadata.name for c in core.list_namespaced_persistent_volume_claim(
            ns, label_selector=selector).items],
        "secrets": [s.metadata.name for s in core.list_namespaced_secret(ns, label_selector=selector).items],
        "accounts": [a.metadata.name for a in core.list_namespaced_service_account(ns, label_selector=selector).items],
        "roles": [r.metadata.name for r in rbac.list_namespaced_role(ns, label_selector=selector).items],
        "vms": [v["metadata"]["name"] for v in custom.list_namespaced_custom_object(
            "kubevirt.io", "v1", ns, "virtualmachines", label_selector=selector)["items"]],
    }


NOTHING = {"pods": [], "claims": [], "secrets": [], "accounts": [], "roles": [], "vms": []}


def wait_until(check, timeout: float, what: str, interval: float = 0.2):
    """Poll check() until it is truthy; its value, or AssertionError naming `what`."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {timeout} s")
        time.sleep(interval)


class EngineThread:
    """The engine as `manage.py engine` runs it — rounds on one thread, VMs on worker threads —
    inside this process, so a test can patch what the VMs' steps call. `rounds` counts the rounds
    begun."""

    def __init__(self, threads: int = 4, interval: float = 0.2):
        from plans.engine import scheduler

        self.scheduler, self.interval = scheduler, interval
        self.workers, self.stop, self.rounds = scheduler.Workers(threads), threading.Event(), 0
        self.thread = threading.Thread(target=self.run, daemon=True)

    def run(self):
        from django.db import connections

        try:
            while not self.stop.is_set():
                self.rounds += 1
                try:
                    self.scheduler.tick(self.workers)
                except Exception:  # noqa: BLE001 - as the command does: logged, the next round goes on
                    logging.getLogger("mtvweb.engine").exception("engine round failed")
                self.stop.wait(self.interval)
        finally:
            connections.close_all()

    def wait_rounds(self, count: int, timeout: float = 60):
        """Until `count` more rounds have begun and the last of them has ended."""
        target = self.rounds + count + 1
        wait_until(lambda: self.rounds >= target, timeout, f"{count} engine rounds")

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join(60)
        self.workers.shutdown()


engine_running = EngineThread


def set_power(vsphere_lab, name, on: bool | None):
    """Switch the lab VM on or off (None: leave it); returns its power state."""
    from pyVmomi import vim

    from tests.providers.vsphere_helpers import vcenter

    with vcenter(vsphere_lab) as content:
        view = content.viewManager.CreateContainerView(content.rootFolder, [vim.VirtualMachine], True)
        vm = next(v for v in view.view if v.name == name)
        spec = vim.PropertyCollector.FilterSpec(
            objectSet=[vim.PropertyCollector.ObjectSpec(obj=vm)],
            propSet=[vim.PropertyCollector.PropertySpec(type=vim.VirtualMachine, pathSet=["runtime.powerState"])])

        def read():
            return content.propertyCollector.RetrieveContents([spec])[0].propSet[0].val

        state = read()
        if on is not None and (state == "poweredOn") != on:
            task = vm.PowerOnVM_Task() if on else vm.PowerOffVM_Task()
            while task.info.state in ("queued", "running"):
                time.sleep(0.2)
            state = read()
        return state

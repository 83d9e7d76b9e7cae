"""A small inventory of our own (no lab): a vSphere source with two VMs, networks and a datastore,
an OpenShift target with a NetworkAttachmentDefinition and a storage class, and maps for them,
all in team-a; `make_plan` builds a plan over it with its status computed."""

import pytest

from mappings.models import NetworkMap, NetworkPair, StorageMap, StoragePair
from plans import status
from plans.models import Hook, Plan, PlanVM, PlanVMHook
from providers.models import InventoryObject, Provider, VirtualMachine

GIB = 2**30


def vm_record(nets, datastores):
    return {"nics": [{"network": {"id": n}} for n in nets],
            "disks": [{"datastore": {"id": d}, "capacity": GIB} for d in datastores], "cpuCount": 2, "memoryMB": 2048}


@pytest.fixture
def inventory(db):
    return inventory_in("team-a")


def inventory_in(namespace: str) -> dict:
    source = Provider.objects.create(namespace=namespace, name="vcenter", type="vsphere", status="Ready",
                                     url="https://vcenter.example.com/sdk",
                                     settings={"vddkInitImage": "registry.example.com/vddk:8"})
    target = Provider.objects.create(namespace=namespace, name="host", type="openshift", status="Ready")
    for uid, name in (("network-1", "VM Network"), ("network-2", "Storage Net")):
        InventoryObject.objects.create(provider=source, kind="network", uid=uid, name=name, digest="x")
    InventoryObject.objects.create(provider=source, kind="storage", uid="datastore-1", name="datastore1", digest="x")
    InventoryObject.objects.create(provider=target, kind="network", uid="nad-1", name="vlan-100",
                                   path=f"/{namespace}/vlan-100", digest="x")
    InventoryObject.objects.create(provider=target, kind="storage", uid="sc-1", name="standard", path="/standard",
                                   digest="x", data={"availableCapacity": None})
    web = VirtualMachine.objects.create(provider=source, uid="vm-1", name="web-1", digest="x",
                                        data=vm_record(["network-1"], ["datastore-1"]))
    db_vm = VirtualMachine.objects.create(
        provider=source, uid="vm-2", name="db-1", digest="x", data=vm_record(["network-1", "network-2"],
                                                                            ["datastore-1"]),
        concerns=[{"category": "Warning", "label": "Shared disk", "assessment": "Shared disks are not migrated."}],
        concern_level=VirtualMachine.Concern.WARNING, concern_count=1)
    network_map = NetworkMap.objects.create(namespace=namespace, name="netmap", source_provider=source,
                                            destination_provider=target)
    NetworkPair.objects.create(map=network_map, source_id="network-1", source_name="VM Network")
    NetworkPair.objects.create(map=network_map, source_id="network-2", source_name="Storage Net",
                               destination_type="multus", destination_namespace=namespace, destination_name="vlan-100")
    storage_map = StorageMap.objects.create(namespace=namespace, name="storagemap", source_provider=source,
                                            destination_provider=target)
    StoragePair.objects.create(map=storage_map, source_id="datastore-1", source_name="datastore1",
                               storage_class="standard", access_mode="ReadWriteOnce", volume_mode="Filesystem")
    hook = Hook.objects.create(namespace=namespace, name="prep", playbook="- hosts: localhost\n  tasks: []\n")
    return {"source": source, "target": target, "vms": [web, db_vm], "network_map": network_map,
            "storage_map": storage_map, "hook": hook}


@pytest.fixture
def make_plan(inventory):
    def make(name="plan-1", vms=("vm-1", "vm-2"), namespace="team-a", target_names=None, hooks=None, **fields):
        fields = {"source_provider": inventory["source"], "destination_provider": inventory["target"],
                  "target_namespace": "team-a", "network_map": inventory["network_map"],
                  "storage_map": inventory["storage_map"], **fields}
        plan = Plan.objects.create(name=name, namespace=namespace, **fields)
        names = {v.uid: v.name for v in inventory["vms"]}
        for uid in vms:
            vm = PlanVM.objects.create(plan=plan, vm_id=uid, name=names.get(uid, uid),
                                       target_name=(target_names or {}).get(uid, ""))
            for step, hook in (hooks or {}).get(uid, []):
                PlanVMHook.objects.create(plan_vm=vm, hook=hook, step=step)
        status.refresh(plan)
        return plan

    return make


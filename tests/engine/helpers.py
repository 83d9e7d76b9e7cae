"""Shared by the engine tests: hash what arrived in the lab cluster's volumes."""

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


def vsphere_plan(source, host, vm_names, target_namespace, name="wave"):
    """A plan in team-a for the lab's vSphere VMs: DPG-Prod to the NAD mtv-user/vlan-100, other
    networks to the pod network; LocalDS_0 to a Block class, LocalDS_1 to a Filesystem one."""
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
                               target_namespace=target_namespace, network_map=network_map, storage_map=storage_map)
    for vm in vms:
        PlanVM.objects.create(plan=plan, vm_id=vm.uid, name=vm.name)
    return plan

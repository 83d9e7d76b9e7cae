"""A cold migration from the oVirt lab into the lab cluster, through the real engine, image
transfers served by the real ovirt-imageio daemon, transfer Pods and API server: two VMs — one
up, one down with UEFI, a raw and a qcow2 disk on two storage domains and two NICs — arrive with
every disk's guest bytes equal to the source's, their MACs, networks, storage classes, firmware
and run strategy; the image transfers are finalized and the disks unlocked again; the source that was up stays down (cold)
until the fixture starts it again."""

import time
import uuid

import ovirtsdk4 as sdk
import pytest
from ovirtsdk4 import types

from plans import actions
from plans.engine import scheduler
from plans.models import RunStatus
from providers.models import Provider, VirtualMachine
from tests.engine.helpers import blake3_of, claim_file
from tests.providers.helpers import load
from tests.providers.test_ovirt import make_provider

pytestmark = [pytest.mark.lab, pytest.mark.django_db(transaction=True)]
RUNNING, TWO_DISKS = "running", "two_disks_two_nics"  # lab roles (lab/ovirt/README.md)
CLASSES = {"nfs-data": ("ocs-storagecluster-ceph-rbd", "ReadWriteMany", "Block"),
           "iscsi-data": ("ocs-storagecluster-cephfs", "ReadWriteMany", "Filesystem")}


@pytest.fixture
def engine(ovirt_lab):
    """The lab engine through ovirtsdk4, as an administrator would see it."""
    conn = sdk.Connection(url=ovirt_lab["url"], username=ovirt_lab["user"], password=ovirt_lab["password"],
                          ca_file=ovirt_lab["ca_file"])
    yield conn.system_service()
    conn.close()


def set_power(system, vm_id: str, on: bool | None, timeout: float = 60) -> str:
    """Start or stop the lab VM and wait for it (None: leave it); returns its status."""
    service = system.vms_service().vm_service(vm_id)
    status = service.get().status.value
    if on is not None and (status == "up") != on:
        if on:
            service.start()
        else:
            service.stop()
        deadline = time.monotonic() + timeout
        while (status := service.get().status.value) != ("up" if on else "down") and time.monotonic() < deadline:
            time.sleep(0.2)
    return status


def ovirt_plan(source, host, vms, target_namespace, name="rhv-wave"):
    """A plan in team-a: vm-data to the NAD mtv-user/vlan-100, other networks to the pod network;
    nfs-data to a Block class, iscsi-data to a Filesystem one (ids as the adapter gives them)."""
    from mappings.models import NetworkMap, NetworkPair, StorageMap, StoragePair
    from plans.models import Plan, PlanVM
    from providers.adapters.ovirt.adapter import OvirtAdapter
    from providers.models import InventoryObject

    names = dict(InventoryObject.objects.filter(provider=source, kind__in=["network", "storage"])
                 .values_list("uid", "name"))
    network_map = NetworkMap.objects.create(namespace="team-a", name=f"{name}-nets", source_provider=source,
                                            destination_provider=host)
    for network in {n for vm in vms for n in OvirtAdapter.nic_networks(vm.data)}:
        multus = names[network] == "vm-data"
        NetworkPair.objects.create(map=network_map, source_id=network, source_name=names[network],
                                   destination_type="multus" if multus else "pod",
                                   destination_namespace="mtv-user" if multus else "",
                                   destination_name="vlan-100" if multus else "")
    storage_map = StorageMap.objects.create(namespace="team-a", name=f"{name}-disks", source_provider=source,
                                            destination_provider=host)
    for domain in {d for vm in vms for d in OvirtAdapter.disk_storages(vm.data)}:
        storage_class, access, volume = CLASSES[names[domain]]
        StoragePair.objects.create(map=storage_map, source_id=domain, source_name=names[domain],
                                   storage_class=storage_class, access_mode=access, volume_mode=volume)
    plan = Plan.objects.create(namespace="team-a", name=name, source_provider=source, destination_provider=host,
                               target_namespace=target_namespace, network_map=network_map, storage_map=storage_map)
    for vm in vms:
        PlanVM.objects.create(plan=plan, vm_id=vm.uid, name=vm.name)
    return plan


@pytest.fixture
def plan(settings, kube_lab, ovirt_lab, engine, people):
    from providers.adapters.openshift.host import ensure_host_provider

    settings.MTVWEB_KUBECONFIG = kube_lab["admin_kubeconfig"]
    running_id = ovirt_lab["test_vms"][RUNNING]["id"]
    assert set_power(engine, running_id, True) == "up"
    host = ensure_host_provider()
    load(host)
    source = make_provider(ovirt_lab)
    load(source)
    Provider.objects.filter(pk__in=[host.pk, source.pk]).update(status="Ready")
    host.refresh_from_db()
    source.refresh_from_db()
    vms = [VirtualMachine.objects.get(provider=source, uid=ovirt_lab["test_vms"][role]["id"])
           for role in (RUNNING, TWO_DISKS)]
    yield ovirt_plan(source, host, vms, f"mig-{uuid.uuid4().hex[:6]}")
    set_power(engine, running_id, True)  # other tests expect the lab's VMs as they were


def test_two_ovirt_vms_migrate_cold_with_equal_bytes(plan, people, ovirt_lab, engine, kube):
    core, custom = kube
    started = time.monotonic()
    migration = actions.start(people["admin"], plan)
    migration = scheduler.run(migration, timeout=300)
    records = {r.vm_id: r for r in migration.vms.all()}
    assert migration.status == RunStatus.SUCCEEDED, {r.name: (r.phase, r.error, r.log[-2000:])
                                                     for r in records.values()}
    print(f"migrated in {time.monotonic() - started:.1f} s")
    roles = {role: ovirt_lab["test_vms"][role] for role in (RUNNING, TWO_DISKS)}
    lab_disks = {d["disk_id"]: d for d in ovirt_lab["disks"]}
    ns = plan.target_namespace
    for record in records.values():
        assert {s["state"] for s in record.steps} <= {"Completed", "Skipped"}, record.steps
        source_vm = VirtualMachine.objects.get(provider=plan.source_provider, uid=record.vm_id)
        assert {d["id"] for d in record.disks} == {a["disk"]["id"] for a in source_vm.data["diskAttachments"]}
        for disk in record.disks:
            source = lab_disks[disk["id"]]
            target = claim_file(core, ns, disk["claim"], disk["volumeMode"])
            assert blake3_of(target, source["capacity"]) == source["blake3"] == disk["blake3"], (record.name, disk)

    vms = {role: custom.get_namespaced_custom_object("kubevirt.io", "v1", ns, "virtualmachines",
                                                     records[ref["id"]].memo["target_name"])
           for role, ref in roles.items()}
    assert vms[RUNNING]["spec"]["runStrategy"] == "Always" and vms[TWO_DISKS]["spec"]["runStrategy"] == "Halted"
    two = VirtualMachine.objects.get(provider=plan.source_provider, uid=roles[TWO_DISKS]["id"]).data
    assert two["bios"] == "q35_ovmf"
    spec = vms[TWO_DISKS]["spec"]["template"]["spec"]
    assert "efi" in spec["domain"]["firmware"]["bootloader"]
    assert "bios" in vms[RUNNING]["spec"]["template"]["spec"]["domain"]["firmware"]["bootloader"]
    assert spec["domain"]["cpu"]["sockets"] * spec["domain"]["cpu"]["cores"] == (
        two["cpuSockets"] * two["cpuCores"] * two["cpuThreads"])
    assert spec["domain"]["memory"]["guest"] == f"{two['memory'] // 2**20}Mi"
    assert [i["macAddress"] for i in spec["domain"]["devices"]["interfaces"]] == [n["mac"] for n in two["nics"]]
    vm_data = ovirt_lab["networks"]["vm-data"]
    assert spec["networks"] == [
        {"name": f"net{i}", "multus": {"networkName": "mtv-user/vlan-100"}} if n["profile"]["network"] == vm_data
        else {"name": f"net{i}", "pod": {}} for i, n in enumerate(two["nics"])]
    assert {n["profile"]["network"] for n in two["nics"]} == {vm_data, ovirt_lab["networks"]["ovirtmgmt"]}
    claims = {c.metadata.name: c for c in core.list_namespaced_persistent_volume_claim(ns).items}
    domains = {s["id"]: name for name, s in ovirt_lab["storage_domains"].items()}
    assert sorted((claims[d["claim"]].spec.storage_class_name, claims[d["claim"]].spec.volume_mode)
                  for d in records[roles[TWO_DISKS]["id"]].disks) == sorted(
        CLASSES[domains[lab_disks[d["id"]]["storage_domain"]]][::2] for d in records[roles[TWO_DISKS]["id"]].disks)
    assert {lab_disks[d["id"]]["format"] for d in records[roles[TWO_DISKS]["id"]].disks} == {"raw", "cow"}

    # Every download the migration opened is finalized and the disks are unlocked again.
    migrated = {d["id"] for r in records.values() for d in r.disks}
    transfers = [t for t in engine.image_transfers_service().list() if t.disk and t.disk.id in migrated]
    assert {t.disk.id for t in transfers} == migrated
    assert {t.phase for t in transfers} == {types.ImageTransferPhase.FINISHED_SUCCESS}
    assert {engine.disks_service().disk_service(d).get().status.value for d in migrated} == {"ok"}
    # The source that ran is down now (cold); the reader Secret is gone, the finished transfer Pods
    # stay for the logs. They read imageio by the transfer's URL (the ticket), with no credentials.
    assert set_power(engine, roles[RUNNING]["id"], None) == "down"
    pods = core.list_namespaced_pod(ns, label_selector="mtvweb.io/role=transfer").items
    assert {p.status.phase for p in pods} == {"Succeeded"} and len(pods) == len(migrated) == 3
    imageio = f"https://{ovirt_lab['imageio']['host']}:{ovirt_lab['imageio']['port']}/images/"
    for pod in pods:
        command = pod.spec.containers[0].command
        assert command[command.index("--url") + 1].startswith(imageio) and "--insecure" not in command
        # imageio's extents: the disks' zero ranges never crossed the wire
        assert "known zero, not read" in core.read_namespaced_pod_log(pod.metadata.name, ns)
        assert ovirt_lab["password"] not in str(pod.spec)
    assert not [s for s in core.list_namespaced_secret(ns).items if s.metadata.name.endswith(f"-{migration.pk}")]


def test_disk_exports_are_found_again_and_released_once(ovirt_lab, engine):
    """A worker that died after opening the transfers finds them again instead of failing on the
    locked disk; releasing twice is harmless; a VM that is up cannot lend its disks."""
    from providers.adapters import ProviderError, adapter_for

    source = make_provider(ovirt_lab)
    load(source)
    ops = adapter_for(source).operations()
    vm = VirtualMachine.objects.get(provider=source, uid=ovirt_lab["test_vms"]["down"]["id"])
    described = ops.describe(vm)
    [disk] = [d for d in ovirt_lab["disks"] if d["vm_id"] == vm.uid]
    assert [(d.id, d.capacity, d.storage) for d in described.disks] == [
        (disk["disk_id"], disk["capacity"], disk["storage_domain"])]
    assert ops.reader_secret() == {"SOURCE_CA_PEM": open(ovirt_lab["ca_file"]).read()}
    first = ops.prepare_disks(vm, described)
    try:
        assert engine.disks_service().disk_service(disk["disk_id"]).get().status.value == "locked"
        assert ops.prepare_disks(vm, described) == first
    finally:
        ops.release_disks(vm)
    ops.release_disks(vm)
    assert engine.disks_service().disk_service(disk["disk_id"]).get().status.value == "ok"
    running = VirtualMachine.objects.get(provider=source, uid=ovirt_lab["test_vms"][RUNNING]["id"])
    assert set_power(engine, running.uid, True) == "up"
    with pytest.raises(ProviderError) as refused:
        ops.prepare_disks(running, ops.describe(running))
    assert "not down" in str(refused.value) and "restart the migration" in str(refused.value)

"""Plan-level checks against real inventories (vSphere and OpenStack labs), each message
saying what to fix."""

import pytest

from plans.checks import CRITICAL, INFORMATION, WARNING, PlanDraft, check_plan
from providers.models import InventoryObject, Provider, VirtualMachine
from tests.providers.helpers import load
from tests.providers.vsphere_helpers import make_provider

pytestmark = [pytest.mark.lab, pytest.mark.django_db]
GIB = 2**30


@pytest.fixture
def vsphere(vsphere_lab):
    provider = make_provider(vsphere_lab)
    load(provider)
    Provider.objects.filter(pk=provider.pk).update(status="Ready")
    provider.refresh_from_db()
    return provider


@pytest.fixture
def target():
    """The target cluster's inventory, as the openshift adapter records it: a namespace with a VM
    and a storage class reporting its free capacity."""
    host = Provider.objects.create(namespace="openshift-mtv", name="host", type="openshift", status="Ready")
    VirtualMachine.objects.create(provider=host, uid="kv-1", name="mtv-rhel8-nocbt", path="/team-a/mtv-rhel8-nocbt",
                                  data={}, digest="x")
    InventoryObject.objects.create(provider=host, kind="storage", uid="sc-1", name="fast",
                                   data={"availableCapacity": 100 * GIB}, digest="x")
    InventoryObject.objects.create(provider=host, kind="storage", uid="sc-2", name="tiny",
                                   data={"availableCapacity": 50 * 2**20}, digest="x")
    return host


def vm(provider, name):
    return VirtualMachine.objects.get(provider=provider, name=name)


def full_maps(provider, storage_class="fast"):
    """Every network to a NAD and every storage to `storage_class`."""
    networks = InventoryObject.objects.filter(provider=provider, kind="network").values_list("uid", flat=True)
    storages = InventoryObject.objects.filter(provider=provider, kind="storage").values_list("uid", flat=True)
    return ({n: "team-a/vlan-100" for n in networks},
            {s: {"storageClass": storage_class, "volumeMode": "Filesystem"} for s in storages})


def draft(source, target, names, **kwargs):
    network_map, storage_map = full_maps(source)
    defaults = {"network_map": network_map, "storage_map": storage_map}
    return PlanDraft(source=source, target=target, target_namespace="team-a",
                     vm_ids=[vm(source, n).uid for n in names], **{**defaults, **kwargs})


def messages(result, category=None):
    return [str(f) for f in result.findings if category is None or f.category == category]


def test_a_fully_mapped_plan_is_ready_apart_from_the_vddk_warning(vsphere, target):
    result = check_plan(draft(vsphere, target, ["mtv-db-2disk-2nic"]))
    assert result.ready, messages(result)
    assert messages(result, WARNING) == [
        "The vSphere provider has no VDDK init image: disks are copied over HTTPS, which is slower "
        "(guide §2.7.1). Add one to the provider to speed this up."]
    vsphere.settings = {"vddkInitImage": "registry.example.com/vddk:8"}
    vsphere.save()
    assert check_plan(draft(vsphere, target, ["mtv-db-2disk-2nic"])).findings == []


def test_unmapped_network_and_storage(vsphere, target):
    plan = draft(vsphere, target, ["mtv-db-2disk-2nic"])
    record = vm(vsphere, "mtv-db-2disk-2nic").data
    dvpg = next(n["network"]["id"] for n in record["nics"] if n["network"]["id"].startswith("dvportgroup"))
    datastore = record["disks"][0]["datastore"]["id"]
    names = dict(InventoryObject.objects.filter(provider=vsphere).values_list("uid", "name"))
    del plan.network_map[dvpg], plan.storage_map[datastore]
    result = check_plan(plan)
    assert not result.ready
    critical = messages(result, CRITICAL)
    assert f"mtv-db-2disk-2nic: Network {names[dvpg]} is not mapped: add it to the network map." in critical
    assert any(f"Storage {names[datastore]} is not mapped" in m for m in critical)


def test_more_than_one_nic_on_the_pod_network(vsphere, target):
    plan = draft(vsphere, target, ["mtv-db-2disk-2nic"])
    plan.network_map = {n: "pod" for n in plan.network_map}
    assert ("mtv-db-2disk-2nic: 2 NICs are mapped to the pod network; only one may be. Map the others to "
            "NetworkAttachmentDefinitions.") in messages(check_plan(plan), CRITICAL)


def test_target_names(vsphere, target):
    legacy = vm(vsphere, "Legacy_App.Server01")
    result = check_plan(draft(vsphere, target, ["Legacy_App.Server01", "mtv-rhel8-nocbt", "mtv-rhel9-cbt"]))
    assert result.target_names[legacy.uid] == "legacy-appserver01"
    assert any("Legacy_App.Server01: The name is not valid in Kubernetes" in m and "called legacy-appserver01" in m
               for m in messages(result, WARNING))
    # mtv-rhel8-nocbt already exists in team-a on the target: the user must choose another name.
    assert any(m.startswith("mtv-rhel8-nocbt: A VM named mtv-rhel8-nocbt is already in namespace team-a")
               for m in messages(result, CRITICAL))
    plan = draft(vsphere, target, ["mtv-rhel8-nocbt", "mtv-rhel9-cbt"])
    plan.target_names = {vm(vsphere, "mtv-rhel8-nocbt").uid: "rhel8-moved",
                         vm(vsphere, "mtv-rhel9-cbt").uid: "Bad_Name"}
    result = check_plan(plan)
    assert result.target_names[vm(vsphere, "mtv-rhel8-nocbt").uid] == "rhel8-moved"
    assert messages(result, CRITICAL) == [
        "mtv-rhel9-cbt: The target name 'Bad_Name' is not valid: it has capital letters; it contains '_'."]


def test_two_invalid_names_that_clean_up_alike_get_distinct_names(vsphere, target):
    a, b = vm(vsphere, "vm-00000"), vm(vsphere, "vm-00001")
    VirtualMachine.objects.filter(pk=a.pk).update(name="Web_01")
    VirtualMachine.objects.filter(pk=b.pk).update(name="web.01")
    result = check_plan(draft(vsphere, target, ["Web_01", "web.01"]))
    assert sorted(result.target_names.values()) == ["web-01", "web01"]


def test_warm_needs_change_block_tracking_and_room_for_snapshots(vsphere, target):
    plan = draft(vsphere, target, ["mtv-rhel8-nocbt", "mtv-rhel9-cbt"], warm=True)
    critical = messages(check_plan(plan), CRITICAL)
    assert ("mtv-rhel8-nocbt: Changed block tracking is off: warm migration needs it. Turn on CBT (ctkEnabled) "
            "for the VM or migrate cold.") in critical
    assert not any(m.startswith("mtv-rhel9-cbt") for m in critical)
    cbt = vm(vsphere, "mtv-rhel9-cbt")
    VirtualMachine.objects.filter(pk=cbt.pk).update(data={**cbt.data, "snapshotCount": 28})
    assert any(m.startswith("mtv-rhel9-cbt: The VM has 28 snapshots") for m in messages(check_plan(plan), CRITICAL))
    plan.warm = False
    assert not any("snapshots" in m or "Changed block" in m for m in messages(check_plan(plan)))


def test_storage_that_does_not_fit_with_the_overhead(vsphere, target):
    plan = draft(vsphere, target, ["mtv-db-2disk-2nic"])
    plan.storage_map = {s: {"storageClass": "tiny", "volumeMode": "Filesystem"} for s in plan.storage_map}
    [message] = [m for m in messages(check_plan(plan), CRITICAL) if "Storage class tiny" in m]
    assert "including the 10% filesystem overhead" in message and "lower the overhead setting" in message


def test_openstack_vms_must_be_backed_by_cinder_volumes(openstack_lab, target):
    from tests.providers.test_openstack import make_provider as make_openstack

    provider = make_openstack(openstack_lab)
    load(provider)
    Provider.objects.filter(pk=provider.pk).update(status="Ready")
    provider.refresh_from_db()
    roles = openstack_lab["test_vms"]
    plan = draft(provider, target, [roles["image_booted"]["name"], roles["good"]["name"]])
    critical = messages(check_plan(plan), CRITICAL)
    assert any(m.startswith(f"{roles['image_booted']['name']}: The VM is not backed only by Cinder volumes")
               for m in critical)
    assert not any(m.startswith(roles["good"]["name"] + ":") for m in critical)
    assert not [f for f in check_plan(plan).findings if f.category == INFORMATION]


def test_warm_is_refused_where_the_source_cannot(openstack_lab, target):
    from tests.providers.test_openstack import make_provider as make_openstack

    provider = make_openstack(openstack_lab)
    load(provider)
    Provider.objects.filter(pk=provider.pk).update(status="Ready")
    provider.refresh_from_db()
    plan = draft(provider, target, [openstack_lab["test_vms"]["good"]["name"]], warm=True)
    assert "OpenStack providers support cold migration only; choose cold." in messages(check_plan(plan), CRITICAL)


@pytest.mark.django_db(transaction=True)
def test_capacity_comes_from_the_clusters_csi_storage_capacity(kube_lab, settings, vsphere):
    """The target's inventory carries each class's free space as the cluster reports it: the lab's
    small-capacity class (300Mi) takes the VM's 48 MiB disk, but not a 200 MiB one with 100% overhead."""
    from plans.settings import ControllerSettings
    from providers.adapters.openshift.host import ensure_host_provider

    settings.MTVWEB_KUBECONFIG = kube_lab["admin_kubeconfig"]
    host = ensure_host_provider()
    load(host)
    Provider.objects.filter(pk=host.pk).update(status="Ready")
    host.refresh_from_db()
    small = InventoryObject.objects.get(provider=host, kind="storage", name="small-capacity")
    assert 0 < small.data["availableCapacity"] <= 300 * 2**20
    assert InventoryObject.objects.get(provider=host, kind="storage", name="standard").data["availableCapacity"] is None
    plan = draft(vsphere, host, ["mtv-rhel9-cbt"])
    plan.target_namespace = kube_lab["user_namespace"]
    plan.storage_map = {s: {"storageClass": "small-capacity", "volumeMode": "Filesystem"} for s in plan.storage_map}
    assert not any("Storage class small-capacity" in m for m in messages(check_plan(plan)))
    settings_row = ControllerSettings.current()
    settings_row.filesystem_overhead_percent = 100
    settings_row.save()
    big = vm(vsphere, "mtv-rhel9-cbt")
    VirtualMachine.objects.filter(pk=big.pk).update(
        data={**big.data, "disks": [{**d, "capacity": 200 * 2**20} for d in big.data["disks"]]})
    [message] = [m for m in messages(check_plan(plan), CRITICAL) if "Storage class small-capacity" in m]
    assert message.startswith("Storage class small-capacity has 300 MiB free but the disks need 400 MiB including "
                              "the 100% filesystem overhead")


def test_a_nic_connected_to_no_network_does_not_block_the_plan(vsphere, target):
    two = vm(vsphere, "mtv-db-2disk-2nic")
    nics = [two.data["nics"][0], {**two.data["nics"][1], "network": None}]
    VirtualMachine.objects.filter(pk=two.pk).update(data={**two.data, "nics": nics})
    result = check_plan(draft(vsphere, target, ["mtv-db-2disk-2nic"]))
    assert "mtv-db-2disk-2nic: 1 NIC(s) are connected to no network; the VM gets them unconnected too." in \
        messages(result, WARNING)
    assert not messages(result, CRITICAL)

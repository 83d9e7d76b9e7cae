"""Every plan check (plans.checks.check_plan) on the small inventory of tests/plans/conftest.py:
what stops a plan, what only deserves a word, and the message that says what to do. No lab."""

import pytest

from plans.checks import CRITICAL, INFORMATION, WARNING, PlanDraft, check_plan, size_text
from plans.settings import ControllerSettings
from providers.models import InventoryObject, Provider, VirtualMachine

pytestmark = pytest.mark.django_db
GIB, MIB = 2**30, 2**20
NAD = "team-a/vlan-100"
STANDARD = {"storageClass": "standard", "volumeMode": "Filesystem"}


def draft(inventory, vm_ids=("vm-1",), **fields):
    values = {"source": inventory["source"], "target": inventory["target"], "target_namespace": "team-a",
              "vm_ids": list(vm_ids), "network_map": {"network-1": NAD, "network-2": NAD},
              "storage_map": {"datastore-1": STANDARD}, **fields}
    return PlanDraft(**values)


def messages(result, category=None) -> list[str]:
    return [str(f) for f in result.findings if category is None or f.category == category]


def change(vm_id, **data):
    record = VirtualMachine.objects.get(uid=vm_id)
    VirtualMachine.objects.filter(pk=record.pk).update(data={**record.data, **data})


def test_a_fully_mapped_plan_is_ready_with_nothing_to_say(inventory):
    result = check_plan(draft(inventory, ["vm-1", "vm-2"]))
    assert result.findings == [] and result.ready
    assert result.target_names == {"vm-1": "web-1", "vm-2": "db-1"}


def test_a_vm_gone_from_the_inventory(inventory):
    result = check_plan(draft(inventory, ["vm-1", "vm-9"]))
    assert messages(result) == ["VM vm-9 is not in the source inventory any more."] and not result.ready
    assert result.findings[0].category == CRITICAL


def test_providers_that_are_not_ready(inventory):
    Provider.objects.filter(pk=inventory["source"].pk).update(status="ConnectionFailed",
                                                               status_message="the password was refused")
    Provider.objects.filter(pk=inventory["target"].pk).update(status="Staging")
    for provider in (inventory["source"], inventory["target"]):
        provider.refresh_from_db()
    assert messages(check_plan(draft(inventory)), CRITICAL) == [
        "The source provider vcenter is ConnectionFailed: the password was refused.",
        "The target provider host is Staging."]


def test_the_target_must_be_openshift(inventory):
    other = Provider.objects.create(namespace="team-a", name="vc2", type="vsphere", status="Ready")
    result = check_plan(draft(inventory, target=other))
    assert "The target must be an OpenShift Virtualization provider, not VMware vSphere." in messages(result, CRITICAL)


def test_vsphere_without_a_vddk_image_gets_a_warning_only(inventory):
    Provider.objects.filter(pk=inventory["source"].pk).update(settings={})
    inventory["source"].refresh_from_db()
    result = check_plan(draft(inventory))
    assert result.ready and messages(result) == [
        "The vSphere provider has no VDDK init image: disks are copied over HTTPS, which is slower (guide §2.7.1). "
        "Add one to the provider to speed this up."]
    assert result.findings[0].category == WARNING


def openstack_source(**vm_data):
    source = Provider.objects.create(namespace="team-a", name="osp", type="openstack", status="Ready")
    VirtualMachine.objects.create(provider=source, uid="os-1", name="app-1", digest="x",
                                  data={"nics": [], "disks": [], **vm_data})
    return source


def test_warm_is_refused_where_the_source_cannot(inventory):
    source = openstack_source()
    result = check_plan(draft(inventory, ["os-1"], source=source, warm=True))
    assert messages(result, CRITICAL) == ["OpenStack providers support cold migration only; choose cold."]
    cold = check_plan(draft(inventory, ["os-1"], source=source))
    assert cold.ready and messages(cold) == []


@pytest.mark.parametrize("data", [{"imageBased": True}, {"localDisks": True}])
def test_openstack_vms_must_be_backed_only_by_volumes(inventory, data):
    result = check_plan(draft(inventory, ["os-1"], source=openstack_source(**data)))
    assert messages(result, CRITICAL) == [
        "app-1: The VM is not backed only by Cinder volumes (it boots from an image or has local disks); only "
        "volume-backed VMs can migrate."]


def test_other_sources_are_not_asked_about_volumes(inventory):
    change("vm-1", imageBased=True, localDisks=True)
    assert check_plan(draft(inventory)).findings == []


def test_nics_unconnected_unmapped_and_on_the_pod_network(inventory):
    change("vm-2", nics=[{"network": {"id": "network-1"}}, {"network": {"id": "network-2"}}, {"network": None}])
    result = check_plan(draft(inventory, ["vm-2"], network_map={"network-1": "pod"}))
    assert messages(result, WARNING) == ["db-1: 1 NIC(s) are connected to no network; the VM gets them unconnected too."]
    assert messages(result, CRITICAL) == ["db-1: Network Storage Net is not mapped: add it to the network map."]
    result = check_plan(draft(inventory, ["vm-2"], network_map={"network-1": "pod", "network-2": "pod"}))
    assert messages(result, CRITICAL) == [
        "db-1: 2 NICs are mapped to the pod network; only one may be. Map the others to "
        "NetworkAttachmentDefinitions."]
    one_on_pod = check_plan(draft(inventory, ["vm-2"], network_map={"network-1": "pod", "network-2": NAD}))
    assert messages(one_on_pod, CRITICAL) == []


def test_a_network_or_storage_missing_from_the_inventory_is_named_by_its_id(inventory):
    change("vm-1", nics=[{"network": {"id": "network-7"}}], disks=[{"datastore": {"id": "datastore-7"},
                                                                    "capacity": GIB}])
    assert messages(check_plan(draft(inventory)), CRITICAL) == [
        "web-1: Network network-7 is not mapped: add it to the network map.",
        "web-1: Storage datastore-7 is not mapped: add it to the storage map."]


def test_unmapped_storage(inventory):
    result = check_plan(draft(inventory, storage_map={}))
    assert messages(result) == ["web-1: Storage datastore1 is not mapped: add it to the storage map."]
    assert not result.ready


CBT_DISK = {"datastore": {"id": "datastore-1"}, "capacity": GIB, "changeTrackingEnabled": True,
            "file": "[datastore1] web-1/web-1.vmdk"}


def test_warm_needs_change_tracking_on_the_vm(inventory):
    assert messages(check_plan(draft(inventory, warm=True)), CRITICAL) == [
        "web-1: Changed block tracking is off: warm migration needs it. Turn on CBT (ctkEnabled) for the VM or "
        "migrate cold."]
    assert check_plan(draft(inventory, warm=False)).findings == []


def test_warm_needs_change_tracking_on_every_disk(inventory):
    other = {**CBT_DISK, "changeTrackingEnabled": False, "file": "[datastore1] web-1/web-1_1.vmdk"}
    change("vm-1", changeTrackingEnabled=True, disks=[CBT_DISK, other])
    assert messages(check_plan(draft(inventory, warm=True)), CRITICAL) == [
        "web-1: Changed block tracking is off for disk [datastore1] web-1/web-1_1.vmdk."]
    change("vm-1", disks=[CBT_DISK])
    assert check_plan(draft(inventory, warm=True)).findings == []


@pytest.mark.parametrize("count,refused", [(27, False), (28, True)])
def test_warm_needs_room_for_more_snapshots(inventory, count, refused):
    change("vm-1", changeTrackingEnabled=True, disks=[CBT_DISK], snapshotCount=count)
    expected = ["web-1: The VM has 28 snapshots; warm migration needs room for more (at most 27). Remove some "
                "snapshots."] if refused else []
    assert messages(check_plan(draft(inventory, warm=True))) == expected
    assert check_plan(draft(inventory, warm=False)).findings == []


def test_warm_from_ovirt_is_not_asked_about_vsphere_change_tracking(inventory):
    source = Provider.objects.create(namespace="team-a", name="rhv", type="ovirt", status="Ready")
    VirtualMachine.objects.create(provider=source, uid="ov-1", name="app-1", digest="x",
                                  data={"nics": [], "diskAttachments": [], "snapshotCount": 40})
    assert check_plan(draft(inventory, ["ov-1"], source=source, warm=True)).findings == []


def test_critical_concerns_are_a_warning_naming_them(inventory):
    VirtualMachine.objects.filter(uid="vm-1").update(concern_level=VirtualMachine.Concern.CRITICAL, concerns=[
        {"category": "Critical", "label": "Shared disk", "assessment": "x"},
        {"category": "Warning", "label": "Old hardware", "assessment": "x"},
        {"category": "Critical", "label": "RDM disk", "assessment": "x"}])
    result = check_plan(draft(inventory))
    assert result.ready and messages(result, WARNING) == [
        "web-1: The VM has critical concerns (Shared disk, RDM disk); it may fail to migrate."]
    # Warnings of the validation alone say nothing at plan level (vm-2 has one).
    assert check_plan(draft(inventory, ["vm-2"])).findings == []


def in_target_namespace(inventory, name, namespace="team-a"):
    VirtualMachine.objects.create(provider=inventory["target"], uid=f"kv-{name}", name=name,
                                  path=f"/{namespace}/{name}", data={}, digest="x")


def test_a_name_already_taken_in_the_target_namespace(inventory):
    in_target_namespace(inventory, "web-1")
    in_target_namespace(inventory, "db-1", namespace="team-b")  # another namespace: no conflict
    result = check_plan(draft(inventory, ["vm-1", "vm-2"]))
    assert messages(result) == ["web-1: A VM named web-1 is already in namespace team-a (or in this plan): give "
                                "this VM another target name."]
    result = check_plan(draft(inventory, ["vm-1"], target_names={"vm-1": "web-1-moved"}))
    assert result.findings == [] and result.target_names == {"vm-1": "web-1-moved"}


def test_chosen_target_names_are_checked(inventory):
    in_target_namespace(inventory, "taken")
    result = check_plan(draft(inventory, ["vm-1", "vm-2"], target_names={"vm-1": "Bad_Name", "vm-2": "taken"}))
    assert messages(result, CRITICAL) == [
        "db-1: A VM named taken is already in namespace team-a (or in this plan): choose another name.",
        "web-1: The target name 'Bad_Name' is not valid: it has capital letters; it contains '_'."]


def test_two_vms_of_the_plan_may_not_get_the_same_name(inventory):
    result = check_plan(draft(inventory, ["vm-1", "vm-2"], target_names={"vm-1": "app", "vm-2": "app"}))
    assert messages(result, CRITICAL) == [
        "web-1: A VM named app is already in namespace team-a (or in this plan): choose another name."]


def test_invalid_source_names_are_renamed_distinctly_with_a_warning(inventory):
    VirtualMachine.objects.filter(uid="vm-1").update(name="Web_01")
    VirtualMachine.objects.filter(uid="vm-2").update(name="web.01")
    in_target_namespace(inventory, "web-01")
    result = check_plan(draft(inventory, ["vm-1", "vm-2"]))
    assert result.ready and result.target_names == {"vm-1": "web-01-2", "vm-2": "web01"}
    assert messages(result) == [
        "Web_01: The name is not valid in Kubernetes (it has capital letters; it contains '_'); the VM will be "
        "called web-01-2. You can choose another target name.",
        "web.01: The name is not valid in Kubernetes (it contains '.'); the VM will be called web01. You can "
        "choose another target name."]


def test_findings_come_critical_first_then_by_vm(inventory):
    Provider.objects.filter(pk=inventory["source"].pk).update(settings={})
    inventory["source"].refresh_from_db()
    VirtualMachine.objects.filter(uid="vm-1").update(name="Zed_1")
    result = check_plan(draft(inventory, ["vm-1", "vm-2", "vm-9"], network_map={"network-1": NAD}))
    assert [(f.category, f.vm) for f in result.findings] == [
        (CRITICAL, ""), (CRITICAL, "db-1"), (WARNING, ""), (WARNING, "Zed_1")]
    assert not [f for f in result.findings if f.category == INFORMATION]


def test_disks_of_unmapped_storage_are_not_counted_against_a_class(inventory):
    InventoryObject.objects.filter(provider=inventory["target"], name="standard").update(
        data={"availableCapacity": GIB})
    change("vm-1", disks=[{"datastore": {"id": "datastore-1"}, "capacity": GIB // 2},
                          {"datastore": {"id": "datastore-7"}, "capacity": 100 * GIB}])
    assert messages(check_plan(draft(inventory)), CRITICAL) == [
        "web-1: Storage datastore-7 is not mapped: add it to the storage map."]


@pytest.mark.parametrize("size,text", [(10 * GIB, "10.0 GiB"), (10 * GIB - MIB, "10239 MiB"), (0, "0 MiB"),
                                       (123 * GIB + GIB // 2, "123.5 GiB")])
def test_sizes_in_messages(size, text):
    assert size_text(size) == text


@pytest.mark.parametrize("value,size", [
    ("0", 0), ("", 0), ("512", 512), ("1Ki", 2**10), ("1Mi", 2**20), ("1Gi", 2**30), ("2Ti", 2 * 2**40),
    ("1.5Gi", 3 * 2**29), ("1k", 10**3), ("3M", 3 * 10**6), ("1G", 10**9), ("1T", 10**12)])
def test_block_overhead_quantities(value, size):
    assert ControllerSettings(block_overhead=value).block_overhead_bytes == size

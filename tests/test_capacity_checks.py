"""Does a plan fit the target storage class? At the boundary: disks that fit only without the
configured overhead (a percentage for Filesystem volumes, a fixed size per Block volume) must be
refused; disks that fit with it must pass. No lab: the inventories are written here."""

import pytest

from plans.checks import CRITICAL, PlanDraft, check_plan
from plans.settings import ControllerSettings
from providers.models import InventoryObject, Provider, VirtualMachine

pytestmark = pytest.mark.django_db
GIB, MIB = 2**30, 2**20


@pytest.fixture
def source():
    provider = Provider.objects.create(namespace="team-a", name="vcenter", type="vsphere", status="Ready",
                                       settings={"vddkInitImage": "registry.example.com/vddk:8"})
    InventoryObject.objects.create(provider=provider, kind="storage", uid="datastore-1", name="ds1", data={},
                                   digest="x")
    return provider


@pytest.fixture
def target():
    return Provider.objects.create(namespace="openshift-mtv", name="host", type="openshift", status="Ready")


def add_vm(source, uid, disk_sizes):
    return VirtualMachine.objects.create(
        provider=source, uid=uid, name=uid, data={"disks": [{"capacity": size, "datastore": {"id": "datastore-1"}}
                                                            for size in disk_sizes], "nics": []}, digest="x")


def storage_class(target, free):
    InventoryObject.objects.create(provider=target, kind="storage", uid="sc-1", name="fast",
                                   data={"availableCapacity": free}, digest="x")


def overheads(percent=10, block="0"):
    row = ControllerSettings.current()
    row.filesystem_overhead_percent, row.block_overhead = percent, block
    row.save()


def capacity_findings(source, target, vm_ids, volume_mode="Filesystem"):
    draft = PlanDraft(source=source, target=target, target_namespace="team-a", vm_ids=vm_ids,
                      storage_map={"datastore-1": {"storageClass": "fast", "volumeMode": volume_mode}})
    result = check_plan(draft)
    return [f for f in result.findings if "Storage class fast" in f.message], result


def test_disks_that_fit_only_without_the_filesystem_overhead_are_refused(source, target):
    add_vm(source, "vm-1", [30 * GIB, 10 * GIB])
    storage_class(target, 40 * GIB)  # exactly the disks, no room for the 10 %
    overheads(percent=10)
    [finding], result = capacity_findings(source, target, ["vm-1"])
    assert finding.category == CRITICAL and not result.ready
    assert finding.message.startswith("Storage class fast has 40.0 GiB free but the disks need 44.0 GiB including "
                                      "the 10% filesystem overhead")


def test_disks_that_fit_with_the_filesystem_overhead_pass(source, target):
    add_vm(source, "vm-1", [30 * GIB, 10 * GIB])
    storage_class(target, 44 * GIB)
    overheads(percent=10)
    findings, result = capacity_findings(source, target, ["vm-1"])
    assert findings == [] and result.ready


def test_the_overhead_is_counted_on_every_vm_of_the_plan(source, target):
    add_vm(source, "vm-1", [20 * GIB])
    add_vm(source, "vm-2", [20 * GIB])
    storage_class(target, 44 * GIB - 1)
    overheads(percent=10)
    [finding], _ = capacity_findings(source, target, ["vm-1", "vm-2"])
    assert "need 44.0 GiB" in finding.message


def test_block_volumes_need_the_block_overhead_per_disk(source, target):
    add_vm(source, "vm-1", [4 * GIB, 4 * GIB])
    storage_class(target, 9 * GIB)  # the disks fit, but not with 1 GiB more for each
    overheads(percent=10, block="1Gi")
    [finding], result = capacity_findings(source, target, ["vm-1"], volume_mode="Block")
    assert finding.category == CRITICAL and not result.ready
    assert "has 9216 MiB free but the disks need 10.0 GiB including the 1Gi block overhead:" in finding.message


def test_block_volumes_that_fit_with_the_block_overhead_pass(source, target):
    add_vm(source, "vm-1", [4 * GIB, 4 * GIB])
    storage_class(target, 10 * GIB)
    overheads(percent=50, block="1Gi")  # the filesystem percentage does not apply to Block volumes
    findings, result = capacity_findings(source, target, ["vm-1"], volume_mode="Block")
    assert findings == [] and result.ready


def test_a_class_that_reports_no_capacity_is_not_checked(source, target):
    add_vm(source, "vm-1", [400 * GIB])
    InventoryObject.objects.create(provider=target, kind="storage", uid="sc-1", name="fast",
                                   data={"availableCapacity": None}, digest="x")
    findings, result = capacity_findings(source, target, ["vm-1"])
    assert findings == [] and result.ready


def test_a_class_with_both_volume_modes_names_both_overheads(source, target):
    """What the claims will request is what the engine asks for (plans.engine.objects.claim_size)."""
    from plans.engine.objects import claim_size

    add_vm(source, "vm-1", [4 * GIB])
    VirtualMachine.objects.create(provider=source, uid="vm-2", name="vm-2", digest="x", data={
        "disks": [{"capacity": 4 * GIB + 1, "datastore": {"id": "datastore-2"}}], "nics": []})
    storage_class(target, 8 * GIB)
    overheads(percent=10, block="1Gi")
    draft = PlanDraft(source=source, target=target, target_namespace="team-a", vm_ids=["vm-1", "vm-2"],
                      storage_map={"datastore-1": {"storageClass": "fast", "volumeMode": "Filesystem"},
                                   "datastore-2": {"storageClass": "fast", "volumeMode": "Block"}})
    [finding] = [f for f in check_plan(draft).findings if "Storage class fast" in f.message]
    settings = ControllerSettings.current()
    needed = claim_size(4 * GIB, "Filesystem", settings) + claim_size(4 * GIB + 1, "Block", settings)
    assert needed == (4506 + 5121) * 2**20  # 4 GiB + 10 % and 4 GiB + 1 byte + 1 GiB, each up to a whole MiB
    assert "the disks need 9627 MiB including the 10% filesystem overhead and the 1Gi block overhead:" \
        in finding.message

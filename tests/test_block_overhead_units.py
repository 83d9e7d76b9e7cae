"""Every block overhead the settings page accepts (a Kubernetes quantity: m, k, M, G, T, P, E, Ki …
Ei) is counted by the plan checks and by the size of the claims the engine creates. Kept out of
bench/mutants.py's map while it fails: the checks and the claim sizes parse quantities with units
of their own (plans.checks.parse_quantity, plans.engine.specs.quantity_bytes), which lack some of
the ones the settings accept."""

import math

import pytest
from django.urls import reverse

from mtvweb.models import ControllerSettings
from plans.checks import CRITICAL, PlanDraft, check_plan
from plans.engine.specs import claim_size
from providers.models import InventoryObject, Provider, VirtualMachine

pytestmark = pytest.mark.django_db
MIB = 2**20


@pytest.fixture
def admin_client(client, people):
    client.force_login(people["admin"])
    return client


@pytest.mark.parametrize("value,size", [("2Gi", 2 * 2**30), ("1T", 10**12), ("1P", 10**15), ("1Pi", 2**50),
                                        ("1E", 10**18), ("1Ei", 2**60)])
def test_a_block_overhead_the_settings_accept_is_counted(admin_client, value, size):
    response = admin_client.post(reverse("setting_edit", args=["block_overhead"]), {"block_overhead": value})
    assert response.status_code == 200 and ControllerSettings.current().block_overhead == value
    # The claim the engine makes for an empty Block disk is the overhead, rounded up to MiB.
    assert claim_size(0, "Block", ControllerSettings.current()) == math.ceil(size / MIB) * MIB
    # The plan checks count it against the class's free space.
    source = Provider.objects.create(namespace="team-a", name="vc", type="vsphere", status="Ready",
                                     settings={"vddkInitImage": "registry.example.com/vddk:8"})
    target = Provider.objects.create(namespace="openshift-mtv", name="host", type="openshift", status="Ready")
    VirtualMachine.objects.create(provider=source, uid="vm-1", name="vm-1", digest="x", data={
        "disks": [{"capacity": MIB, "datastore": {"id": "ds-1"}}], "nics": []})
    InventoryObject.objects.create(provider=target, kind="storage", uid="sc-1", name="fast", digest="x",
                                   data={"availableCapacity": size})  # the overhead fits, not the disk with it
    result = check_plan(PlanDraft(source=source, target=target, target_namespace="team-a", vm_ids=["vm-1"],
                                  storage_map={"ds-1": {"storageClass": "fast", "volumeMode": "Block"}}))
    assert [f.category for f in result.findings if "Storage class fast" in f.message] == [CRITICAL]

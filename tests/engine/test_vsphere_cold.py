"""A cold migration from the vSphere lab into the lab cluster, through the real engine, transfer
Pods and API server: two VMs — one running with UEFI firmware, one powered off with two disks on
two datastores and two NICs — arrive with every disk's bytes equal to the source's, their MACs,
networks, storage classes, firmware and run strategy, and the power state restored. A third, with
change tracking on, has only its allocated areas (vSphere's changed areas since "*") fetched."""

import uuid

import pytest

from plans import actions, conversion
from plans.engine import scheduler
from plans.models import RunStatus
from providers.models import VirtualMachine
from tests.engine.helpers import blake3_of, claim_file, set_power, vsphere_plan
from tests.plans.helpers import lab_source_and_target

pytestmark = [pytest.mark.lab, pytest.mark.django_db(transaction=True)]
RUNNING, STOPPED, TRACKED = "mtv-win2019-uefi", "mtv-db-2disk-2nic", "mtv-rhel9-cbt"


@pytest.fixture
def plan(settings, kube_lab, vsphere_lab, people):
    source, host = lab_source_and_target(settings, kube_lab, vsphere_lab)
    plan = vsphere_plan(source, host, [RUNNING, STOPPED, TRACKED], f"mig-{uuid.uuid4().hex[:6]}")
    assert set_power(vsphere_lab, RUNNING, True) == "poweredOn"
    yield plan
    for name in (RUNNING, TRACKED):
        set_power(vsphere_lab, name, True)  # other tests expect the lab's VMs as they were


def test_two_vsphere_vms_migrate_cold_with_equal_bytes(plan, people, vsphere_lab, kube):
    core, custom = kube
    migration = actions.start(people["admin"], plan)
    migration = scheduler.run(migration, timeout=300)
    records = {r.name: r for r in migration.vms.all()}
    assert migration.status == RunStatus.SUCCEEDED, {n: (r.phase, r.error, r.log[-2000:]) for n, r in records.items()}
    lab_disks = {(d["vm"], str(d["key"])): d for d in vsphere_lab["disks"]}
    ns = plan.target_namespace
    for name, record in records.items():
        assert [s["state"] for s in record.steps if s["state"] != "Skipped"] == ["Completed"] * len(
            [s for s in record.steps if s["state"] != "Skipped"])
        # The lab's disks hold no guest: the plan copies them raw, and the VM's log says why.
        convert = next(s for s in record.steps if s["name"] == "ConvertGuest")
        assert convert["state"] == "Skipped" and f"Convert the guest: {conversion.SKIPPED_LOG}" in record.log
        for disk in record.disks:
            source = lab_disks[(name, disk["id"])]
            target = claim_file(core, ns, disk["claim"], disk["volumeMode"])
            assert blake3_of(target, source["capacity"]) == source["blake3"] == disk["blake3"], (name, disk["id"])
            assert disk["bytesWritten"] <= 1.05 * source["allocated_bytes"]
    running = custom.get_namespaced_custom_object("kubevirt.io", "v1", ns, "virtualmachines", RUNNING)
    stopped = custom.get_namespaced_custom_object("kubevirt.io", "v1", ns, "virtualmachines", STOPPED)
    assert running["spec"]["runStrategy"] == "Always" and stopped["spec"]["runStrategy"] == "Halted"
    assert "efi" in running["spec"]["template"]["spec"]["domain"]["firmware"]["bootloader"]
    assert "bios" in stopped["spec"]["template"]["spec"]["domain"]["firmware"]["bootloader"]
    source_vm = VirtualMachine.objects.get(provider=plan.source_provider, name=STOPPED)
    interfaces = stopped["spec"]["template"]["spec"]["domain"]["devices"]["interfaces"]
    assert [i["macAddress"] for i in interfaces] == [n["mac"] for n in source_vm.data["nics"]]
    assert stopped["spec"]["template"]["spec"]["networks"] == [
        {"name": "net0", "pod": {}}, {"name": "net1", "multus": {"networkName": "mtv-user/vlan-100"}}]
    claims = {c.metadata.name: c for c in core.list_namespaced_persistent_volume_claim(ns).items}
    assert [(claims[d["claim"]].spec.storage_class_name, claims[d["claim"]].spec.volume_mode)
            for d in records[STOPPED].disks] == [("ocs-storagecluster-ceph-rbd", "Block"),
                                                 ("ocs-storagecluster-cephfs", "Filesystem")]
    # The source that ran is off now (cold); the reader Secret is gone, the finished transfer Pods
    # stay for the logs until the plan is archived.
    assert set_power(vsphere_lab, RUNNING, None) == "poweredOff"
    pods = core.list_namespaced_pod(ns, label_selector="mtvweb.io/role=transfer").items
    assert {p.status.phase for p in pods} == {"Succeeded"} and len(pods) == 4
    for pod in pods:
        tracked = pod.metadata.name in {d["pod"] for d in records[TRACKED].disks}
        assert ("--extents-data" in pod.spec.containers[0].command) == tracked, pod.metadata.name
        assert ("known zero, not read" in core.read_namespaced_pod_log(pod.metadata.name, ns)) == tracked
    assert not [s for s in core.list_namespaced_secret(ns).items if s.metadata.name.endswith(f"-{migration.pk}")]

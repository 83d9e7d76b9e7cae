"""A migrated guest boots: the lab's real Debian guest (lab/guest), whose initramfs knows only the
disks a VMware VM has, migrated cold by the real engine, converted by virt-v2v-in-place in the
conversion Pod (inside the image's root), then started on the lab's KubeVirt, which boots it
with QEMU from its own bootloader on the virtio devices the VirtualMachine names. It boots and
prints its marker with the source's MAC; the same disk copied without conversion (the plan's
skipGuestConversion) cannot find its root. An oVirt guest that already has virtio drivers boots
as it is (oVirt sources are never converted).

All plans run at once in one engine, as several teams' plans would: the conversions and boots
run under TCG here and take minutes each."""

import uuid

import pytest

from lab import guest
from lab.vsphere.layout import GUEST_DISK_SIZE
from plans import actions
from plans.models import Migration, Plan, RunStatus
from providers.models import Provider, VirtualMachine
from tests.engine.helpers import blake3_of, claim_file, engine_running, vsphere_plan, wait_until
from tests.engine.test_ova_cold import ova_plan
from tests.engine.test_ovirt_cold import ovirt_plan
from tests.lab.test_guest_launcher import launcher_log, vmi_phase
from tests.plans.helpers import lab_source_and_target
from tests.providers.helpers import load

pytestmark = [pytest.mark.lab, pytest.mark.django_db(transaction=True)]
KUBEVIRT = ("kubevirt.io", "v1")
READY = "MTVWEB-GUEST-READY macs="
MIGRATION_LIMIT = 1500  # three conversions and five copies at once on two TCG cores
BOOT_LIMIT = 900


@pytest.fixture
def sources(settings, kube_lab, vsphere_lab, ova_lab, ovirt_lab):
    from tests.providers.test_ova import make_provider as make_ova
    from tests.providers.test_ovirt import make_provider as make_ovirt

    vsphere, host = lab_source_and_target(settings, kube_lab, vsphere_lab)
    ova = make_ova(ova_lab["nfs_url"], name=f"ova-{uuid.uuid4().hex[:6]}")
    ovirt = make_ovirt(ovirt_lab)
    for provider in (ova, ovirt):
        load(provider)
    Provider.objects.filter(pk__in=[ova.pk, ovirt.pk]).update(status="Ready")
    ova.refresh_from_db()
    ovirt.refresh_from_db()
    return {"vsphere": vsphere, "ova": ova, "ovirt": ovirt, "host": host}


def converted(plan: Plan, convert: bool) -> Plan:
    Plan.objects.filter(pk=plan.pk).update(skip_guest_conversion=not convert)
    plan.refresh_from_db()
    return plan


def started(custom, record) -> None:
    """The target VM runs: as the engine left it (a source that ran), or started now."""
    ns, name = record.migration.plan.target_namespace, record.memo["target_name"]
    vm = custom.get_namespaced_custom_object(*KUBEVIRT, ns, "virtualmachines", name)
    if vm["spec"].get("runStrategy") != "Always":
        custom.patch_namespaced_custom_object(*KUBEVIRT, ns, "virtualmachines", name,
                                              {"spec": {"runStrategy": "Always"}})


def booted(custom, core, record) -> tuple[str, str]:
    """(VMI phase once the boot is decided, the console) of the VM's target."""
    ns, name = record.migration.plan.target_namespace, record.memo["target_name"]
    vmi = wait_until(lambda: vmi_phase(custom, ns, name, {"Running", "Failed"}), BOOT_LIMIT,
                     f"{name} booted or failed")
    console = launcher_log(core, ns, vmi)
    message = "\n".join(c.get("message", "") for c in vmi["status"].get("conditions") or [])
    return vmi["status"]["phase"], console + "\n" + message


def expected_mac(custom, record) -> str:
    """The source NIC's MAC, which the target keeps; an OVF that names none leaves it to KubeVirt."""
    vm = VirtualMachine.objects.get(provider=record.migration.plan.source_provider, uid=record.vm_id)
    if mac := vm.data["nics"][0].get("mac"):
        return mac.lower()
    ns, name = record.migration.plan.target_namespace, record.memo["target_name"]
    target = custom.get_namespaced_custom_object(*KUBEVIRT, ns, "virtualmachines", name)
    return target["spec"]["template"]["spec"]["domain"]["devices"]["interfaces"][0]["macAddress"].lower()


def test_real_guests_converted_by_virt_v2v_boot_and_raw_copies_do_not(sources, people, kube):
    core, custom = kube
    vsphere, ova, ovirt, host = (sources[k] for k in ("vsphere", "ova", "ovirt", "host"))
    tag = uuid.uuid4().hex[:6]
    plans = {
        "vsphere": converted(vsphere_plan(vsphere, host, ["mtv-guest-bios", "mtv-guest-uefi"], f"g-vs-{tag}",
                                          name="guests-vsphere"), convert=True),
        "ova": converted(ova_plan(ova, host, ["mtv-guest-bios"], f"g-ova-{tag}", name="guests-ova"), convert=True),
        "raw": converted(ova_plan(ova, host, ["mtv-guest-bios"], f"g-raw-{tag}", name="guests-raw"), convert=False),
        "ovirt": ovirt_plan(ovirt, host, [VirtualMachine.objects.get(provider=ovirt, name="mtv-guest-virtio")],
                            f"g-rhv-{tag}", name="guests-ovirt"),
    }
    migrations = {key: actions.start(people["admin"], plan) for key, plan in plans.items()}
    with engine_running(threads=5):
        wait_until(lambda: not Migration.objects.filter(pk__in=[m.pk for m in migrations.values()],
                                                        status__in=(RunStatus.PENDING, RunStatus.RUNNING)).exists(),
                   MIGRATION_LIMIT, "every migration ends")
    records = {}
    for key, migration in migrations.items():
        migration.refresh_from_db()
        for record in migration.vms.all():
            assert record.status == RunStatus.SUCCEEDED, (key, record.name, record.error, record.log[-3000:])
            records[(key, record.name)] = record
    # Nothing lost on the way: the copy read the guest's own bytes (checked by the transfer against
    # the claim), and the raw copy, which nothing changed after, holds them still: it is the
    # drivers, not the copy, that keep it from booting.
    source = blake3_of(guest.disks()["bios"], GUEST_DISK_SIZE)
    for key in (("vsphere", "mtv-guest-bios"), ("ova", "mtv-guest-bios"), ("raw", "mtv-guest-bios")):
        assert [d["blake3"] for d in records[key].disks] == [source], key
    [raw] = records[("raw", "mtv-guest-bios")].disks
    assert blake3_of(claim_file(core, plans["raw"].target_namespace, raw["claim"], raw["volumeMode"]),
                     GUEST_DISK_SIZE) == source
    for record in records.values():
        started(custom, record)

    for key in (("vsphere", "mtv-guest-bios"), ("vsphere", "mtv-guest-uefi"), ("ova", "mtv-guest-bios")):
        log = records[key].log
        assert "virt-v2v:" in log and "Convert the guest: skipped" not in log, (key, log[-3000:])
    assert "Convert the guest: skipped" in records[("raw", "mtv-guest-bios")].log
    assert "virt-v2v" not in records[("ovirt", "mtv-guest-virtio")].log  # never converted

    for key, record in records.items():
        phase, console = booted(custom, core, record)
        if key[0] == "raw":  # VMware's drivers only: no root disk on virtio
            assert phase == "Failed", console[-3000:]
            assert "Gave up waiting for root file system device" in console, console[-3000:]
            assert READY not in console
        else:
            assert phase == "Running", (key, console[-3000:])
            assert f"{READY}{expected_mac(custom, record)}" in console, (key, console[-3000:])
    uefi = records[("vsphere", "mtv-guest-uefi")]
    assert "OVMF" in booted(custom, core, uefi)[1].splitlines()[0]  # booted by the firmware, from the ESP

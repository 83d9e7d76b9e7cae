"""The engine when things go wrong, over the vSphere lab and the lab cluster: storage that cannot
hold the disks fails the VM with the fix in words, and archiving leaves nothing of the plan
behind; canceling one VM of three undoes only that one, and a restart runs only it; an engine
killed mid-copy is replaced by another that finishes without copying a finished disk again."""

import os
import signal
import subprocess
import sys
import time
import uuid

import pytest

from mappings.models import StoragePair
from plans import actions, status
from plans.engine import scheduler
from plans.models import Migration, MigrationVM, RunStatus
from plans.settings import ControllerSettings
from tests.engine.helpers import NOTHING, blake3_of, claim_file, plan_objects, vsphere_plan
from tests.fixtures.app import ROOT, child_env
from tests.plans.helpers import lab_source_and_target

pytestmark = [pytest.mark.lab, pytest.mark.django_db(transaction=True)]
THREE = ("mtv-rhel8-nocbt", "mtv-db-2disk-2nic", "Legacy_App.Server01")


@pytest.fixture
def lab(settings, kube_lab, vsphere_lab):
    return lab_source_and_target(settings, kube_lab, vsphere_lab)


def test_storage_too_small_fails_with_the_fix_and_archive_cleans_up(lab, people, kube):
    core, custom = kube
    source, host = lab
    plan = vsphere_plan(source, host, ["mtv-rhel8-nocbt"], f"small-{uuid.uuid4().hex[:6]}")
    StoragePair.objects.filter(map=plan.storage_map).update(storage_class="small-capacity", volume_mode="Filesystem")
    controller = ControllerSettings.current()
    controller.filesystem_overhead_percent = 1000  # 32 MiB × 11 = 352 MiB > the class's 300 MiB
    controller.save()
    status.refresh(plan)  # the plan checks see it coming…
    assert "Storage class small-capacity has 300 MiB free but the disks need 352 MiB" in plan.status_reasons[0]
    # …but the space may go between the check and the copy: run the migration anyway.
    migration = Migration.objects.create(plan=plan, started_by=people["admin"])
    MigrationVM.objects.create(migration=migration, vm_id=plan.vms.get().vm_id, name="mtv-rhel8-nocbt")
    migration = scheduler.run(migration, timeout=120)
    record = migration.vms.get()
    assert migration.status == RunStatus.FAILED and record.phase == "CopyDisks"
    assert record.error.startswith("Storage class small-capacity cannot provide the 352.0\xa0MB claim for disk 1")
    assert "Raise the class's capacity or free space in it, or map this storage to another class" in record.error
    assert plan_objects(core, custom, plan)["claims"]  # the claim waits, Pending
    actions.archive(people["admin"], plan)
    deadline = time.monotonic() + 30  # claims go once the protection finalizer lets them
    while plan_objects(core, custom, plan)["claims"] and time.monotonic() < deadline:
        time.sleep(0.5)
    assert plan_objects(core, custom, plan) == NOTHING


def test_cancel_one_of_three_then_restart_runs_only_it(lab, people, kube, settings, vsphere_lab):
    core, custom = kube
    source, host = lab
    settings.MTVWEB_TRANSFER_MAX_RATE = 8 << 20  # slow enough to cancel mid-copy
    plan = vsphere_plan(source, host, THREE, f"cancel-{uuid.uuid4().hex[:6]}")
    migration = actions.start(people["admin"], plan)
    victim = migration.vms.get(name="mtv-db-2disk-2nic")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        scheduler.tick()
        victim.refresh_from_db()
        if victim.phase == "CopyDisks":
            break
        time.sleep(0.3)
    assert victim.phase == "CopyDisks"
    assert actions.cancel(people["editor"], migration, [victim.vm_id]) == ["mtv-db-2disk-2nic"]
    migration = scheduler.run(migration, timeout=180)
    states = dict(migration.vms.values_list("name", "status"))
    assert states == {"mtv-rhel8-nocbt": "Succeeded", "mtv-db-2disk-2nic": "Canceled",
                      "Legacy_App.Server01": "Succeeded"}
    assert migration.status == RunStatus.SUCCEEDED  # nothing failed; one VM was taken out
    victim.refresh_from_db()
    assert victim.memo.get("cleaned") and "canceled: removed" in victim.log
    left = plan_objects(core, custom, plan)
    assert not [n for kind in left.values() for n in kind if n.startswith(victim.memo["target_name"])]
    assert sorted(left["vms"]) == ["legacy-appserver01", "mtv-rhel8-nocbt"]

    settings.MTVWEB_TRANSFER_MAX_RATE = 0
    again = scheduler.run(actions.start(people["admin"], plan), timeout=180)
    assert list(again.vms.values_list("name", "status")) == [("mtv-db-2disk-2nic", "Succeeded")]
    lab_disks = {(d["vm"], str(d["key"])): d for d in vsphere_lab["disks"]}
    for disk in again.vms.get().disks:
        source_disk = lab_disks[("mtv-db-2disk-2nic", disk["id"])]
        assert blake3_of(claim_file(core, plan.target_namespace, disk["claim"], disk["volumeMode"]),
                         source_disk["capacity"]) == source_disk["blake3"]


def start_engine(tmp_path, kube_lab, name):
    env = {**child_env(), "MTVWEB_KUBECONFIG": kube_lab["admin_kubeconfig"],
           "MTVWEB_TRANSFER_MAX_RATE": str(8 << 20), "MTVWEB_ENGINE_LEASE": "3"}
    return subprocess.Popen([sys.executable, "manage.py", "engine", "--interval", "0.3"], cwd=ROOT, env=env,
                            stdout=open(tmp_path / f"{name}.log", "wb"), stderr=subprocess.STDOUT,
                            start_new_session=True)


def test_a_killed_engine_is_replaced_without_copying_finished_disks_again(lab, people, kube, kube_lab, tmp_path,
                                                                          vsphere_lab):
    core, _ = kube
    source, host = lab
    plan = vsphere_plan(source, host, ["mtv-db-2disk-2nic"], f"kill-{uuid.uuid4().hex[:6]}")
    migration = actions.start(people["admin"], plan)
    first = start_engine(tmp_path, kube_lab, "engine-1")
    try:
        deadline = time.monotonic() + 90
        record = None
        while time.monotonic() < deadline:
            record = MigrationVM.objects.get(migration=migration)
            if any(d.get("state") == "Copied" for d in record.disks):
                break
            time.sleep(0.2)
        assert [d["state"] for d in record.disks].count("Copied") >= 1, record.log
    finally:
        os.killpg(first.pid, signal.SIGKILL)
        first.wait()
    copied_before = {d["id"] for d in record.disks if d["state"] == "Copied"}
    second = start_engine(tmp_path, kube_lab, "engine-2")
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            migration.refresh_from_db()
            if migration.status in (RunStatus.SUCCEEDED, RunStatus.FAILED):
                break
            time.sleep(0.3)
    finally:
        os.killpg(second.pid, signal.SIGTERM)
        second.wait()
    record = MigrationVM.objects.get(migration=migration)
    assert migration.status == RunStatus.SUCCEEDED, (record.error, record.log)
    for disk in record.disks:
        pod_log = core.read_namespaced_pod_log(disk["pod"], plan.target_namespace)
        assert pod_log.count("start: disk") == 1, pod_log  # each disk's Pod ran once: nothing copied twice
        source_disk = {(d["vm"], str(d["key"])): d for d in vsphere_lab["disks"]}[("mtv-db-2disk-2nic", disk["id"])]
        assert disk["blake3"] == source_disk["blake3"]
    assert copied_before  # the first engine had finished a disk; the second did not start it again
    assert record.log.count("transfer Pod") == len(record.disks)


def wait_copied(migration, name, at_least, timeout=120):
    """Tick the engine until the VM's first disk has moved `at_least` bytes."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        scheduler.tick()
        record = migration.vms.get(name=name)
        if record.disks and record.disks[0].get("bytesDone", 0) >= at_least:
            return record
        time.sleep(0.2)
    raise AssertionError(f"{name} did not copy {at_least} bytes: {record.phase} {record.log[-500:]}")


def test_a_source_that_disconnects_mid_copy(lab, people, kube, settings, vsphere_lab):
    """A short cut is retried and the copy goes on; a cut that lasts fails the VM with the byte it
    reached; restarting the plan resumes from the checkpoint instead of starting over. The relay
    holds the disk's stream at 16 MiB (two 8 MiB chunks), so every cut lands after the first chunk
    was written and before the copy could end, however slow the machine."""
    from tests.providers.helpers import Relay

    core, _ = kube
    source, host = lab
    relay = Relay(vsphere_lab["port"])
    source.url = f"https://127.0.0.1:{relay.port}/sdk"
    source.save()
    settings.MTVWEB_TRANSFER_RESTARTS = 0
    lab_disks = {(d["vm"], str(d["key"])): d for d in vsphere_lab["disks"]}
    chunk = 8 << 20

    plan = vsphere_plan(source, host, ["mtv-rhel8-nocbt"], f"cut-{uuid.uuid4().hex[:6]}")
    StoragePair.objects.filter(map=plan.storage_map).update(storage_class="ocs-storagecluster-cephfs",
                                                           volume_mode="Filesystem")
    relay.hold_after(2 * chunk)
    migration = actions.start(people["admin"], plan)
    wait_copied(migration, "mtv-rhel8-nocbt", chunk)
    relay.cut()
    relay.restore()  # at once: the read that was cut is tried again and finds the source back
    migration = scheduler.run(migration, timeout=120)
    record = migration.vms.get()
    assert migration.status == RunStatus.SUCCEEDED, record.log
    assert "retry 1/" in record.disks[0]["log"]
    assert record.disks[0]["blake3"] == lab_disks[("mtv-rhel8-nocbt", record.disks[0]["id"])]["blake3"]

    settings.MTVWEB_TRANSFER_RETRY_WAIT = 2  # give up sooner this time
    plan = vsphere_plan(source, host, ["Legacy_App.Server01"], f"lost-{uuid.uuid4().hex[:6]}", name="lost")
    StoragePair.objects.filter(map=plan.storage_map).update(storage_class="ocs-storagecluster-cephfs",
                                                           volume_mode="Filesystem")
    relay.hold_after(2 * chunk)
    migration = actions.start(people["admin"], plan)
    reached = wait_copied(migration, "Legacy_App.Server01", chunk).disks[0]["bytesDone"]
    relay.cut()
    migration = scheduler.run(migration, timeout=120)
    record = migration.vms.get()
    assert migration.status == RunStatus.FAILED and record.phase == "CopyDisks"
    assert record.error.startswith(f"Copying disk 1 failed: lost the connection to 127.0.0.1:{relay.port} at byte ")
    assert int(record.error.split(" at byte ")[1].split(" ")[0]) >= reached

    relay.restore()
    again = scheduler.run(actions.start(people["admin"], plan), timeout=120)
    record = again.vms.get()
    assert again.status == RunStatus.SUCCEEDED, record.log
    log = core.read_namespaced_pod_log(record.disks[0]["pod"], plan.target_namespace)
    assert "resuming at byte" in log and "starting at byte 0" not in log
    source_disk = lab_disks[("Legacy_App.Server01", record.disks[0]["id"])]
    assert record.disks[0]["blake3"] == source_disk["blake3"] == blake3_of(
        claim_file(core, plan.target_namespace, record.disks[0]["claim"], "Filesystem"), source_disk["capacity"])

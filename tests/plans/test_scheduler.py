"""Admission: VMs start under the plan's concurrency limit and the per-source-host limit; the
others wait, Pending, in the order they were listed."""

import pytest

from plans import actions
from plans.engine import scheduler
from plans.models import RunStatus
from plans.settings import ControllerSettings
from providers.models import VirtualMachine

pytestmark = pytest.mark.django_db


def states(migration) -> dict:
    return dict(migration.vms.values_list("vm_id", "status"))


def test_the_per_host_limit_counts_every_plan_from_that_source(people, make_plan, inventory):
    VirtualMachine.objects.filter(uid__in=["vm-1", "vm-2"]).update(host_uid="host-1")
    first = actions.start(people["editor"], make_plan("first", vms=["vm-1"]))
    second = actions.start(people["editor"], make_plan("second", vms=["vm-2"]))
    scheduler.admit(first, limit=20, per_host=1)
    scheduler.admit(second, limit=20, per_host=1)
    assert states(first) == {"vm-1": RunStatus.RUNNING}
    assert states(second) == {"vm-2": RunStatus.PENDING}  # waits: host-1 already copies one VM
    VirtualMachine.objects.filter(uid="vm-2").update(host_uid="host-2")
    scheduler.admit(second, limit=20, per_host=1)
    assert states(second) == {"vm-2": RunStatus.RUNNING}


def test_the_concurrency_limit_keeps_the_rest_waiting_in_order(people, make_plan):
    migration = actions.start(people["editor"], make_plan())
    scheduler.admit(migration, limit=1, per_host=10)
    assert list(migration.vms.order_by("pk").values_list("status", flat=True)) == [RunStatus.RUNNING,
                                                                                   RunStatus.PENDING]
    scheduler.admit(migration, limit=1, per_host=10)
    assert migration.vms.filter(status=RunStatus.RUNNING).count() == 1


def plan_on_hosts(make_plan, inventory, hosts: dict[str, str], name="plan-1"):
    """A plan of one VM per entry ({VM id: its source host, "" for none}), added to the inventory."""
    from providers.models import VirtualMachine as VM

    for uid, host in hosts.items():
        VM.objects.update_or_create(provider=inventory["source"], uid=uid,
                                    defaults={"name": uid, "host_uid": host, "digest": "x", "data": {}})
    return make_plan(name, vms=list(hosts))


def test_a_busy_host_does_not_hold_up_vms_of_other_hosts(people, make_plan, inventory):
    plan = plan_on_hosts(make_plan, inventory, {"a": "host-1", "b": "host-1", "c": "host-2", "d": "host-1"})
    migration = actions.start(people["editor"], plan)
    scheduler.admit(migration, limit=20, per_host=2)
    assert states(migration) == {"a": RunStatus.RUNNING, "b": RunStatus.RUNNING, "c": RunStatus.RUNNING,
                                 "d": RunStatus.PENDING}


def test_vms_of_no_known_host_are_held_only_by_the_plan_limit(people, make_plan, inventory):
    plan = plan_on_hosts(make_plan, inventory, {"a": "", "b": "", "c": "", "d": ""})
    migration = actions.start(people["editor"], plan)
    scheduler.admit(migration, limit=3, per_host=1)
    assert list(states(migration).values()).count(RunStatus.RUNNING) == 3


def test_the_plan_limit_counts_the_vms_already_running(people, make_plan, inventory):
    plan = plan_on_hosts(make_plan, inventory, {"a": "h1", "b": "h2", "c": "h3", "d": "h4", "e": "h5"})
    migration = actions.start(people["editor"], plan)
    scheduler.admit(migration, limit=2, per_host=10)
    assert states(migration) == {"a": RunStatus.RUNNING, "b": RunStatus.RUNNING, "c": RunStatus.PENDING,
                                 "d": RunStatus.PENDING, "e": RunStatus.PENDING}
    migration.vms.filter(vm_id="a").update(status=RunStatus.SUCCEEDED)
    scheduler.admit(migration, limit=3, per_host=10)  # the setting was raised meanwhile
    assert states(migration) == {"a": RunStatus.SUCCEEDED, "b": RunStatus.RUNNING, "c": RunStatus.RUNNING,
                                 "d": RunStatus.RUNNING, "e": RunStatus.PENDING}
    assert migration.vms.get(vm_id="c").started is not None and migration.vms.get(vm_id="e").started is None


def test_a_host_busy_with_another_providers_vms_is_not_counted(people, make_plan, inventory):
    from plans.models import Migration, MigrationVM
    from providers.models import Provider
    from providers.models import VirtualMachine as VM

    other = Provider.objects.create(namespace="team-a", name="vc2", type="vsphere", status="Ready")
    VM.objects.create(provider=other, uid="x", name="x", host_uid="host-1", digest="x", data={})
    elsewhere = Migration.objects.create(plan=make_plan("other", source_provider=other, vms=[]),
                                         status=RunStatus.RUNNING)
    MigrationVM.objects.create(migration=elsewhere, vm_id="x", name="x", status=RunStatus.RUNNING)
    migration = actions.start(people["editor"], plan_on_hosts(make_plan, inventory, {"a": "host-1"}))
    scheduler.admit(migration, limit=20, per_host=1)
    assert states(migration) == {"a": RunStatus.RUNNING}


@pytest.mark.parametrize("vm_states,result", [
    ([RunStatus.SUCCEEDED, RunStatus.SUCCEEDED], RunStatus.SUCCEEDED),
    ([RunStatus.SUCCEEDED, RunStatus.CANCELED], RunStatus.SUCCEEDED),
    ([RunStatus.CANCELED, RunStatus.CANCELED], RunStatus.CANCELED),
    ([RunStatus.SUCCEEDED, RunStatus.FAILED], RunStatus.FAILED),
    ([RunStatus.CANCELED, RunStatus.FAILED], RunStatus.FAILED),
    ([RunStatus.SUCCEEDED, RunStatus.RUNNING], RunStatus.RUNNING),
    ([RunStatus.FAILED, RunStatus.PENDING], RunStatus.RUNNING),
    ([RunStatus.SUCCEEDED, "canceled, not cleaned up yet"], RunStatus.RUNNING),
])
def test_a_migration_ends_when_all_its_vms_have(make_plan, vm_states, result):
    from plans.models import Migration, MigrationVM

    migration = Migration.objects.create(plan=make_plan(), status=RunStatus.RUNNING)
    for vm_id, state in zip(["vm-1", "vm-2"], vm_states, strict=True):
        uncleaned = state == "canceled, not cleaned up yet"
        memo = {"cleaned": True} if state == RunStatus.CANCELED else {}
        MigrationVM.objects.create(migration=migration, vm_id=vm_id, name=vm_id, memo=memo,
                                   status=RunStatus.CANCELED if uncleaned else state)
    scheduler.finish(migration)
    migration.refresh_from_db()
    assert migration.status == result
    assert (migration.completed is not None) == (result != RunStatus.RUNNING)


def test_vms_listed_in_the_cancel_set_stop_unless_they_ended(make_plan):
    from plans.models import Migration, MigrationVM

    migration = Migration.objects.create(plan=make_plan(), status=RunStatus.RUNNING, cancel=["vm-1", "vm-2"])
    for vm_id, state in (("vm-1", RunStatus.RUNNING), ("vm-2", RunStatus.SUCCEEDED), ("vm-3", RunStatus.PENDING)):
        MigrationVM.objects.create(migration=migration, vm_id=vm_id, name=vm_id, status=state)
    scheduler.cancel_requested(migration)
    assert states(migration) == {"vm-1": RunStatus.CANCELED, "vm-2": RunStatus.SUCCEEDED, "vm-3": RunStatus.PENDING}
    assert migration.vms.get(vm_id="vm-1").completed is not None


def test_canceled_vms_are_undone_once_and_again_after_a_failure(make_plan, monkeypatch):
    from plans.engine import cleanup, lease
    from plans.models import Migration, MigrationVM

    undone, failing, advanced = [], {"vm-3"}, []

    def undo_vm(record, settings, holder):
        undone.append(record.vm_id)
        if record.vm_id in failing:
            raise RuntimeError("the cluster is away")
        lease.cleaned(record, holder)

    monkeypatch.setattr(cleanup, "undo_vm", undo_vm)
    monkeypatch.setattr(scheduler.runner, "advance", lambda record, settings, holder: advanced.append(record.vm_id))
    published = []
    monkeypatch.setattr(scheduler.live, "changed", lambda plan_id: published.append(plan_id))
    migration = Migration.objects.create(plan=make_plan(), status=RunStatus.RUNNING)
    for vm_id in ("vm-1", "vm-3"):
        MigrationVM.objects.create(migration=migration, vm_id=vm_id, name=vm_id, status=RunStatus.CANCELED,
                                   steps=["prepare"])
    MigrationVM.objects.create(migration=migration, vm_id="vm-4", name="vm-4", status=RunStatus.RUNNING,
                               steps=["prepare"])
    scheduler.tick()
    assert sorted(undone) == ["vm-1", "vm-3"] and advanced == ["vm-4"]
    assert published == [migration.plan_id] * 3  # the plan's page hears of each VM moved on
    assert {r.vm_id: r.memo.get("cleaned") for r in migration.vms.all()} == {"vm-1": True, "vm-3": None, "vm-4": None}
    undone.clear()
    failing.clear()
    scheduler.tick()
    assert undone == ["vm-3"]
    scheduler.tick()
    assert undone == ["vm-3"]  # once cleaned up, never again


def test_a_vm_canceled_before_it_started_has_nothing_to_undo(make_plan, monkeypatch):
    from plans.engine import cleanup, lease
    from plans.models import Migration, MigrationVM

    monkeypatch.setattr(cleanup, "VMContext", lambda *args: pytest.fail("no source or cluster to call"))
    migration = Migration.objects.create(plan=make_plan(), status=RunStatus.RUNNING)
    record = MigrationVM.objects.create(migration=migration, vm_id="vm-2", name="vm-2", status=RunStatus.CANCELED,
                                        owner=lease.HOLDER)
    cleanup.undo_vm(record, ControllerSettings.current())
    record.refresh_from_db()
    assert record.memo == {"cleaned": True} and record.owner == ""


@pytest.mark.django_db(transaction=True)
def test_a_slow_vm_holds_up_only_itself(people, make_plan, monkeypatch):
    """With worker threads (manage.py engine) a VM stuck in a long source call (an export, a
    power-off wait) does not stop the others, and is not handed to a second thread meanwhile."""
    import threading

    from plans.engine import runner

    release, entered, advanced = threading.Event(), [], []

    def advance(record, settings, holder=None):
        entered.append(record.vm_id)
        if record.vm_id == "vm-1":
            release.wait(10)
        advanced.append(record.vm_id)
        return record

    monkeypatch.setattr(runner, "advance", advance)
    migration = actions.start(people["editor"], make_plan())
    workers = scheduler.Workers(4)
    try:
        assert scheduler.tick(workers) == 2
        slow = migration.vms.get(vm_id="vm-1").pk
        for _ in range(100):
            if workers.busy == {slow}:
                break
            threading.Event().wait(0.05)
        assert advanced == ["vm-2"]  # vm-1 is still inside its slow call
        assert scheduler.tick(workers) == 1  # vm-2 again; vm-1 is not handed out twice
        release.set()
        for _ in range(100):
            if workers.idle():
                break
            threading.Event().wait(0.05)
        assert entered.count("vm-1") == 1 and workers.idle()
    finally:
        release.set()
        workers.shutdown()
    assert states(migration) == {"vm-1": RunStatus.RUNNING, "vm-2": RunStatus.RUNNING}

"""Admission: VMs start under the plan's concurrency limit and the per-source-host limit; the
others wait, Pending, in the order they were listed."""

import pytest

from plans import actions
from plans.engine import scheduler
from plans.models import RunStatus
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

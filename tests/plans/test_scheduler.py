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

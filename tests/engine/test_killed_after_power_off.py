"""An engine that dies right after it powered the source off: the source's power state it
stored before is kept, so the engine that goes on starts the target VM as the source ran,
and a VM canceled after the crash gets its source powered on again."""

import uuid
from dataclasses import replace

import pytest

from plans import actions
from plans.engine import pipeline, scheduler
from plans.models import RunStatus
from tests.engine.helpers import set_power, vsphere_plan
from tests.plans.helpers import lab_source_and_target

pytestmark = [pytest.mark.lab, pytest.mark.smoke, pytest.mark.django_db(transaction=True)]
VM = "mtv-rhel8-nocbt"


class EngineKilled(BaseException):
    """Stands for the engine's process dying: nothing of the round after this point runs (no
    handler catches a BaseException that is not an Exception)."""


def dying_after_power_off():
    def power_off_and_die(ctx):
        pipeline_step.handler(ctx)
        raise EngineKilled

    pipeline_step = next(s for s in pipeline.COLD if s.name == "PowerOff")
    return [replace(s, handler=power_off_and_die) if s is pipeline_step else s for s in pipeline.COLD]


@pytest.fixture
def lab(settings, kube_lab, vsphere_lab):
    yield lab_source_and_target(settings, kube_lab, vsphere_lab)
    set_power(vsphere_lab, VM, True)  # as the other tests expect the lab's VMs


def start_and_kill(people, plan, monkeypatch):
    with monkeypatch.context() as patch:
        patch.setattr(pipeline, "COLD", dying_after_power_off())
        migration = actions.start(people["admin"], plan)
        with pytest.raises(EngineKilled):
            scheduler.run(migration, timeout=120)
    return migration


def test_the_power_state_outlives_an_engine_killed_after_power_off(lab, people, kube, monkeypatch, vsphere_lab):
    _, custom = kube
    source, host = lab
    assert set_power(vsphere_lab, VM, True) == "poweredOn"
    plan = vsphere_plan(source, host, [VM], f"killed-{uuid.uuid4().hex[:6]}")
    migration = start_and_kill(people, plan, monkeypatch)
    assert set_power(vsphere_lab, VM, None) == "poweredOff"  # it died after the source went off

    migration = scheduler.run(migration, timeout=180)  # the engine that goes on
    record = migration.vms.get()
    assert migration.status == RunStatus.SUCCEEDED, record.log
    assert record.memo["powered_on"] is True and record.log.count("source was on") == 1, record.log
    target = custom.get_namespaced_custom_object("kubevirt.io", "v1", plan.target_namespace, "virtualmachines",
                                                 record.memo["target_name"])
    assert target["spec"]["runStrategy"] == "Always"  # it runs, as the source did

    assert set_power(vsphere_lab, VM, True) == "poweredOn"
    plan = vsphere_plan(source, host, [VM], f"killed-{uuid.uuid4().hex[:6]}", name="killed-then-canceled")
    migration = start_and_kill(people, plan, monkeypatch)
    actions.cancel(people["editor"], migration, [plan.vms.get().vm_id])
    migration = scheduler.run(migration, timeout=180)
    record = migration.vms.get()
    assert record.status == RunStatus.CANCELED and record.memo.get("cleaned"), record.log
    assert set_power(vsphere_lab, VM, None) == "poweredOn"  # powered on again, as it was before the run

"""Hooks in a real migration: a PreHook playbook that fails stops its VM at that step with the
playbook's output in the error's log lines; a PostHook that succeeds runs after the VM is
created, with the VM's record as variables; the other VM is not held up."""

import uuid

import pytest

from plans import actions
from plans.engine import scheduler
from plans.models import Hook, PlanVM, PlanVMHook, RunStatus
from tests.engine.helpers import vsphere_plan
from tests.plans.helpers import lab_source_and_target

pytestmark = [pytest.mark.lab, pytest.mark.django_db(transaction=True)]
FAILING = """- hosts: localhost
  gather_facts: false
  tasks:
    - name: stop the database
      fail:
        msg: "the database did not stop on {{ vm.name }}"
"""
PASSING = """- hosts: localhost
  gather_facts: false
  tasks:
    - debug:
        msg: "post-migration check of {{ vm.name }} with {{ vm.cpuCount }} CPUs"
"""


def test_a_failing_pre_hook_fails_its_vm_with_the_playbooks_output(settings, kube_lab, vsphere_lab, people):
    source, host = lab_source_and_target(settings, kube_lab, vsphere_lab)
    plan = vsphere_plan(source, host, ["mtv-rhel8-nocbt", "Legacy_App.Server01"], f"hook-{uuid.uuid4().hex[:6]}")
    failing = Hook.objects.create(namespace="team-a", name="stop-db", playbook=FAILING)
    passing = Hook.objects.create(namespace="team-a", name="check", playbook=PASSING)
    PlanVMHook.objects.create(plan_vm=PlanVM.objects.get(plan=plan, name="mtv-rhel8-nocbt"), hook=failing,
                              step="PreHook")
    PlanVMHook.objects.create(plan_vm=PlanVM.objects.get(plan=plan, name="Legacy_App.Server01"), hook=passing,
                              step="PostHook")
    migration = scheduler.run(actions.start(people["admin"], plan), timeout=300)
    records = {r.name: r for r in migration.vms.all()}
    failed, passed = records["mtv-rhel8-nocbt"], records["Legacy_App.Server01"]
    assert migration.status == RunStatus.FAILED
    assert failed.status == RunStatus.FAILED and failed.phase == "PreHook", failed.log
    assert failed.error.startswith("PreHook stop-db failed: fix the hook")
    assert "the database did not stop on mtv-rhel8-nocbt" in failed.log  # the playbook's own words
    assert [s["state"] for s in failed.steps if s["name"] in ("PreHook", "PowerOff")] == ["Failed", "Pending"]
    assert passed.status == RunStatus.SUCCEEDED, passed.log
    assert next(s for s in passed.steps if s["name"] == "PostHook")["state"] == "Completed"

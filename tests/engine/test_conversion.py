"""virt-v2v-in-place for real, in the conversion Pod on the lab cluster: a lab VM whose disk holds
no guest, migrated from vSphere without skipping the conversion, fails at "Convert the guest" with
virt-v2v's own reason on its row (page and API); like any failed VM it leaves no VirtualMachine and
no source credentials behind, and archiving the plan removes the rest."""

import time
import uuid

import pytest
from django.urls import reverse
from django.utils.html import escape

from plans import actions
from plans.engine import scheduler
from plans.models import RunStatus
from tests.engine.helpers import NOTHING, plan_objects, vsphere_plan, wait_until
from tests.plans.helpers import as_user, lab_source_and_target
from tests.plans.test_api import api

pytestmark = [pytest.mark.lab, pytest.mark.django_db(transaction=True)]
VM = "mtv-rhel8-nocbt"  # one 32 MiB disk, no guest on it
REASON = "inspection could not detect the source guest"


def test_a_disk_without_a_guest_fails_conversion_with_virt_v2v_reason(settings, kube_lab, vsphere_lab, people,
                                                                       kube, client):
    core, custom = kube
    source, host = lab_source_and_target(settings, kube_lab, vsphere_lab)
    plan = vsphere_plan(source, host, [VM], f"v2v-{uuid.uuid4().hex[:6]}", name="convert-empty",
                        skip_guest_conversion=False)
    started = time.monotonic()
    migration = scheduler.run(actions.start(people["admin"], plan), timeout=600)
    record = migration.vms.get()
    assert migration.status == RunStatus.FAILED and record.phase == "ConvertGuest", (record.error, record.log[-3000:])
    assert record.error.startswith(f"virt-v2v could not convert the guest: {REASON}"), record.error
    assert "No root device found in this operating system image" in record.error
    print(f"\nmigration with a refused conversion: {time.monotonic() - started:.1f} s")
    page = as_user(client, people["admin"]).get(reverse("plans:plan", args=[plan.pk])).content.decode()
    assert escape(record.error) in page
    detail = api(people["admin"]).get(reverse("api-plan-migrations", args=[plan.pk])).json()
    assert [vm["error"] for m in detail for vm in m["vms"]] == [record.error]
    left = plan_objects(core, custom, plan)
    assert left["vms"] == [] and left["secrets"] == [] and left["roles"] == []
    pod = core.read_namespaced_pod(f"{VM}-convert-{migration.pk}", plan.target_namespace)
    assert pod.spec.containers[0].resources.limits == {"devices.kubevirt.io/kvm": "1"}
    actions.archive(people["admin"], plan)
    # claims go once the protection finalizer lets them
    wait_until(lambda: plan_objects(core, custom, plan) == NOTHING, 30, "archiving removes everything")

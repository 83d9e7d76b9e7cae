"""CSV exports of the plan list (as the user filtered it) and of one plan's VMs."""

import csv
import io

import pytest
from django.urls import reverse

from plans.models import RunStatus
from providers.models import VirtualMachine
from tests.plans.helpers import as_user, ran

pytestmark = pytest.mark.django_db


def rows(response) -> list[list[str]]:
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment; filename=")
    return list(csv.reader(io.StringIO(response.content.decode())))


def test_the_plan_list_export_follows_filters_and_access(client, people, make_plan, inventory):
    ready = make_plan("ready", description="=HYPERLINK(\"http://evil\")")
    make_plan("warm", warm=True)
    ran(ready, RunStatus.FAILED)
    make_plan("theirs", namespace="team-b")
    table = rows(as_user(client, people["editor"]).get(reverse("plans:plan_list_csv")))
    assert table[0] == ["Name", "Project", "Source provider", "Source type", "Target provider", "Target project",
                        "VMs", "Status", "Reasons", "Migration type", "Last migration", "Description", "Created"]
    assert [r[0] for r in table[1:]] == ["ready", "warm"]  # team-b's plan is not the editor's to see
    first = dict(zip(table[0], table[1], strict=True))
    assert {k: first[k] for k in ("Source provider", "Source type", "Target provider", "VMs", "Status",
                                  "Migration type", "Last migration")} == {
        "Source provider": "vcenter", "Source type": "vsphere", "Target provider": "host", "VMs": "2",
        "Status": "Ready", "Migration type": "Cold", "Last migration": "Failed"}
    # A cell a spreadsheet would run as a formula is quoted.
    assert first["Description"] == "'=HYPERLINK(\"http://evil\")"
    second = dict(zip(table[0], table[2], strict=True))
    assert second["Status"] == "Not ready" and "Changed block tracking is off" in second["Reasons"]
    filtered = rows(client.get(reverse("plans:plan_list_csv"), {"warm": "true"}))
    assert [r[0] for r in filtered[1:]] == ["warm"]


def test_the_list_links_its_export_with_the_current_filters(client, people, make_plan):
    make_plan()
    page = as_user(client, people["viewer"]).get(reverse("plans:plan_list"), {"name": "plan"}).content.decode()
    assert f'href="{reverse("plans:plan_list_csv")}?name=plan"' in page


def test_a_plans_vm_export(client, people, make_plan, inventory):
    plan = make_plan(target_names={"vm-2": "database"}, hooks={"vm-1": [("PreHook", inventory["hook"])]})
    VirtualMachine.objects.filter(uid="vm-1").update(name="-odd name")
    plan.vms.filter(vm_id="vm-1").update(name="-odd name")
    table = rows(as_user(client, people["viewer"]).get(reverse("plans:plan_vms_csv", args=[plan.pk])))
    assert table == [
        ["Source VM", "Source id", "Target name", "Concern level", "Concerns", "PreHook", "PostHook", "In inventory"],
        ["'-odd name", "vm-1", "oddname", "None", "", "prep", "", "yes"],
        ["db-1", "vm-2", "database", "Warning", "Warning: Shared disk", "", "", "yes"],
    ]
    assert client.get(reverse("plans:plan_vms_csv", args=[plan.pk]))["Content-Disposition"] == \
        'attachment; filename="plan-plan-1-vms.csv"'
    as_user(client, people["outsider"])
    assert client.get(reverse("plans:plan_vms_csv", args=[plan.pk])).status_code == 404

"""Plans in Chromium over the vSphere lab and the lab cluster: a plan with an unmapped network is
Not ready with the reason and turns Ready once the map is fixed; duplicate, archive and bulk
archive; a namespace viewer sees the plan but gets no edit, start or delete control, and the API
refuses them."""

import os

import pytest
from rest_framework.test import APIClient

from mappings.models import NetworkMap, NetworkPair, StorageMap, StoragePair
from mtvweb.models import ApiToken
from plans import status
from plans.models import Plan, PlanVM
from providers.models import InventoryObject, VirtualMachine
from tests.factories import grant
from tests.fixtures.browser import log_in
from tests.plans.helpers import lab_source_and_target

pytestmark = [pytest.mark.browser, pytest.mark.lab, pytest.mark.django_db(transaction=True)]
VM = "mtv-db-2disk-2nic"
SHOTS = os.environ.get("MTVWEB_SCREENSHOTS")  # a directory to keep screenshots of each page in


def shot(page, name):
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"plans-{name}.png"), full_page=True)


@pytest.fixture
def lab_plan(settings, kube_lab, vsphere_lab, people):
    """A vSphere plan for VM's two NICs whose network map leaves the second network out, into
    mtv-user, where the editor of team-a is an editor too (its NADs are theirs to use)."""
    source, host = lab_source_and_target(settings, kube_lab, vsphere_lab)
    grant(people["editor"], "editor", "mtv-user")
    vm = VirtualMachine.objects.get(provider=source, name=VM)
    first, second = (n["network"]["id"] for n in vm.data["nics"])
    names = dict(InventoryObject.objects.filter(provider=source, kind="network").values_list("uid", "name"))
    network_map = NetworkMap.objects.create(namespace="team-a", name="vsphere-nets", source_provider=source,
                                            destination_provider=host)
    NetworkPair.objects.create(map=network_map, source_id=first, source_name=names[first])
    storage_map = StorageMap.objects.create(namespace="team-a", name="vsphere-disks", source_provider=source,
                                            destination_provider=host)
    for datastore in {d["datastore"]["id"] for d in vm.data["disks"]}:
        StoragePair.objects.create(map=storage_map, source_id=datastore, storage_class="ocs-storagecluster-ceph-rbd")
    plan = Plan.objects.create(namespace="team-a", name="wave-1", description="Databases first",
                               source_provider=source, destination_provider=host, target_namespace="mtv-user",
                               network_map=network_map, storage_map=storage_map)
    PlanVM.objects.create(plan=plan, vm_id=vm.uid, name=vm.name)
    status.refresh(plan)
    return {"plan": plan, "network_map": network_map, "missing": second, "missing_name": names[second],
            "kept": first}


def test_an_unmapped_network_makes_the_plan_not_ready_until_the_map_is_fixed(page, people, lab_plan):
    plan, reason = lab_plan["plan"], (f"{VM}: Network {lab_plan['missing_name']} is not mapped: add it to the "
                                      "network map.")
    log_in(page, people["editor"])
    page.goto("/plans/")
    cell = page.get_by_test_id("status-wave-1")
    assert "Not ready" in cell.inner_text()
    assert cell.locator("summary").get_attribute("title") == reason  # on hover
    cell.locator("summary").click()  # and on expanding
    assert page.get_by_test_id("reasons-wave-1").inner_text() == reason
    shot(page, "list-not-ready")
    page.get_by_test_id("plan-wave-1").click()
    page.wait_for_url(f"**/plans/{plan.pk}/")
    assert reason in page.get_by_test_id("plan-details").inner_text()
    start = page.get_by_test_id("start")
    assert start.is_disabled()
    assert page.get_by_test_id("start-reason").get_attribute("title") == f"Plan wave-1 is not ready: {reason}"
    shot(page, "detail-not-ready")

    # Fix the map through its API; the status follows when the plans' inputs are next looked at.
    api = APIClient()
    api.force_authenticate(people["editor"])
    response = api.patch(f"/api/networkmaps/{lab_plan['network_map'].pk}/", {"map": [
        {"source": {"id": lab_plan["kept"]}, "destination": {"type": "pod"}},
        {"source": {"id": lab_plan["missing"]}, "destination": {"type": "multus", "namespace": "mtv-user",
                                                                "name": "vlan-100"}}]}, format="json")
    assert response.status_code == 200, response.json()
    assert status.refresh_stale() >= 1
    page.reload()
    assert page.get_by_test_id("status-wave-1").inner_text().strip() == "Ready"
    assert page.get_by_test_id("heading-status").inner_text().strip() == "Ready"
    page.get_by_test_id("start").click()
    page.get_by_test_id("confirm").click()
    page.wait_for_url(f"**/plans/{plan.pk}/")
    assert "is Pending" in page.locator("#messages").inner_text()
    assert page.get_by_test_id("migration-status").inner_text() == "Pending"
    page.goto("/plans/")
    assert page.get_by_test_id("progress-wave-1").inner_text() == "Pending"


def test_duplicate_then_archive_a_plan_then_bulk_archive(page, people, lab_plan):
    plan = lab_plan["plan"]
    log_in(page, people["editor"])
    page.goto(f"/plans/{plan.pk}/")
    page.get_by_test_id("duplicate").click()
    assert page.input_value("#id_name") == "wave-1-copy"
    page.fill("#id_name", "wave-1")
    page.get_by_test_id("confirm").click()
    assert "A plan named wave-1 already exists in project team-a" in page.get_by_test_id("duplicate-form").inner_text()
    page.fill("#id_name", "wave-2")
    page.get_by_test_id("confirm").click()
    copy = Plan.objects.get(name="wave-2")
    page.wait_for_url(f"**/plans/{copy.pk}/")
    assert "Created plan wave-2, a copy of wave-1." in page.locator("#messages").inner_text()
    page.get_by_test_id("tab-vms").click()
    assert VM in page.get_by_test_id("plan-vms").inner_text()
    page.get_by_test_id("tab-yaml").click()
    assert "name: wave-2" in page.get_by_test_id("plan-yaml").inner_text()
    shot(page, "yaml")

    page.goto(f"/plans/{plan.pk}/")
    page.get_by_test_id("archive").click()
    assert "Archiving cannot be undone." in page.get_by_test_id("note").inner_text()
    shot(page, "archive-confirm")
    page.get_by_test_id("confirm").click()
    page.wait_for_url(f"**/plans/{plan.pk}/")
    assert page.get_by_test_id("archived-note").is_visible()
    assert page.get_by_test_id("edit").is_disabled() and page.get_by_test_id("start").is_disabled()
    assert page.get_by_test_id("edit-reason").get_attribute("title") == (
        "Plan wave-1 is archived and read-only. Duplicate it to make a plan you can change.")
    shot(page, "archived")
    # An archived plan can still be duplicated.
    page.get_by_test_id("duplicate").click()
    page.fill("#id_name", "wave-3")
    page.get_by_test_id("confirm").click()
    page.wait_for_url("**/plans/*/")
    assert not Plan.objects.get(name="wave-3").archived

    # Bulk: archive wave-1 (already archived: refused, with why) and wave-2 at once.
    page.goto("/plans/")
    for name in ("wave-1", "wave-2"):
        page.get_by_test_id(f"plan-{name}").locator("xpath=ancestor::tr").locator("input[name=pk]").check()
    page.get_by_test_id("bulk-archive").click()
    assert "Refused: Plan wave-1 is already archived." in page.get_by_test_id("bulk-row-wave-1").inner_text()
    shot(page, "bulk-confirm")
    page.get_by_test_id("confirm").click()
    page.wait_for_url("**/plans/")
    assert "Archived 1 plan: wave-2." in page.locator("#messages").inner_text()
    assert Plan.objects.get(name="wave-2").archived
    shot(page, "list-after-bulk")


def test_a_viewer_sees_the_plan_without_controls_and_the_api_refuses(page, people, lab_plan):
    plan = lab_plan["plan"]
    log_in(page, people["viewer"])
    page.goto("/plans/")
    assert page.get_by_test_id("plan-wave-1").is_visible()
    assert page.locator("input[name=pk]").count() == 0 and page.get_by_test_id("bulk-archive").count() == 0
    assert page.get_by_test_id("start-wave-1").count() == 0
    page.get_by_test_id("plan-wave-1").click()
    page.wait_for_url(f"**/plans/{plan.pk}/")
    assert page.get_by_test_id("plan-details").is_visible()
    for control in ("edit", "start", "delete", "archive", "duplicate"):
        assert page.get_by_test_id(control).count() == 0, control
    shot(page, "viewer")
    _, key = ApiToken.issue(people["viewer"], "browser test")
    headers = {"Authorization": f"Bearer {key}"}
    assert page.request.get(f"/api/plans/{plan.pk}/", headers=headers).json()["name"] == "wave-1"
    for method, path, verb in (("post", "start/", "start"), ("post", "archive/", "archive"), ("delete", "", "delete")):
        response = getattr(page.request, method)(f"/api/plans/{plan.pk}/{path}", headers=headers)
        assert response.status == 403
        assert response.json() == {"detail": f"You may view plan wave-1 but not {verb} it."}
    plan.refresh_from_db()
    assert not plan.archived and not plan.migrations.exists()

"""The plan pages: the list (status with reasons, progress, filters, bulk actions), the plan's tabs,
and the action pages with the same rules and messages as plans.actions."""

import pytest
from django.urls import reverse

from mappings.models import NetworkPair
from plans.models import Migration, Plan, RunStatus
from tests.plans.helpers import as_user, ran

pytestmark = pytest.mark.django_db


def body(response) -> str:
    return response.content.decode()


def test_the_list_shows_source_target_vms_status_progress_and_description(client, people, make_plan, inventory):
    ready = make_plan("ready", description="Wave 1")
    NetworkPair.objects.filter(source_id="network-2").delete()
    inventory["network_map"].save()
    broken = make_plan("broken", vms=["vm-2"])
    ran(ready, RunStatus.FAILED)
    page = body(as_user(client, people["editor"]).get(reverse("plans:plan_list")))
    assert 'data-testid="plan-ready"' in page and "Wave 1" in page
    assert "vcenter</a> → <a" in page
    assert 'data-testid="status-ready"' in page and ">Ready<" in page
    # Not ready, with the reason on hover (title) and on expanding.
    assert 'title="db-1: Network Storage Net is not mapped: add it to the network map."' in page
    assert '<li class="mtv-reason">db-1: Network Storage Net is not mapped: add it to the network map.</li>' in page
    assert 'data-testid="progress-ready"' in page and ">Failed<" in page
    assert "Not started" in page
    assert broken.vms.count() == 1 and ready.vms.count() == 2
    assert 'name="pk"' in page and 'data-testid="bulk-archive"' in page and 'data-testid="start-ready"' in page
    # After a failed run, starting again is a restart (guide §4.9).
    assert 'data-testid="start-ready"><span class="pf-v6-c-button__text">Restart</span>' in page


def test_a_viewer_sees_the_plans_without_any_write_control(client, people, make_plan):
    make_plan()
    page = body(as_user(client, people["viewer"]).get(reverse("plans:plan_list")))
    assert 'data-testid="plan-plan-1"' in page
    for control in ('name="pk"', 'data-testid="bulk-archive"', 'data-testid="bulk-delete"', 'data-testid="start-',
                    'data-testid="create"'):
        assert control not in page
    detail = body(client.get(reverse("plans:plan", args=[Plan.objects.get().pk])))
    for control in ('data-testid="start"', 'data-testid="edit"', 'data-testid="delete"', 'data-testid="archive"',
                    'data-testid="duplicate"'):
        assert control not in detail


def test_filters_narrow_the_list(client, people, make_plan, inventory):
    make_plan("cold-one")
    make_plan("warm-one", warm=True)
    make_plan("old-one", archived=True)
    client = as_user(client, people["editor"])

    def names(**query):
        page = body(client.get(reverse("plans:plan_list"), query))
        return sorted(n for n in ("cold-one", "warm-one", "old-one") if f'data-testid="plan-{n}"' in page)

    assert names() == ["cold-one", "old-one", "warm-one"]
    assert names(name="WARM") == ["warm-one"]
    assert names(state="Archived") == ["old-one"]
    assert names(state="Ready") == ["cold-one"]  # warm needs CBT these VMs lack
    assert names(state="NotReady") == ["warm-one"]
    assert names(warm="true") == ["warm-one"]
    assert names(source_type="ovirt") == []


def test_every_tab_shows_its_part(client, people, make_plan, inventory):
    plan = make_plan(target_names={"vm-2": "database"}, hooks={"vm-1": [("PreHook", inventory["hook"])]})
    client = as_user(client, people["viewer"])
    details = body(client.get(reverse("plans:plan", args=[plan.pk])))
    assert "netmap" in details and "storagemap" in details and "This plan has not been started." in details
    vms = body(client.get(reverse("plans:plan_vms", args=[plan.pk])))
    assert 'data-testid="vm-db-1"' in vms and "database" in vms and "Shared disk" in vms
    assert 'web-1 <span class="mtv-help">(automatic)' in vms and "database <span" not in vms
    assert "PreHook: prep" in vms
    mappings = body(client.get(reverse("plans:plan_mappings", args=[plan.pk])))
    assert "Storage Net" in mappings and "team-a/vlan-100" in mappings and "ReadWriteOnce" in mappings
    hooks = body(client.get(reverse("plans:plan_hooks", args=[plan.pk])))
    assert 'data-testid="hook-PreHook-prep"' in hooks and "- hosts: localhost" in hooks
    yaml_tab = body(client.get(reverse("plans:plan_yaml", args=[plan.pk])))
    assert "kind: Plan" in yaml_tab and "targetNamespace: team-a" in yaml_tab
    download = client.get(reverse("plans:plan_yaml_download", args=[plan.pk]))
    assert download["Content-Disposition"] == 'attachment; filename="plan-plan-1.yaml"'


def test_disabled_buttons_say_why(client, people, make_plan):
    plan = make_plan()
    ran(plan, RunStatus.RUNNING)
    page = body(as_user(client, people["editor"]).get(reverse("plans:plan", args=[plan.pk])))
    reason = "Plan plan-1 is running (Running) and cannot be deleted: wait until it finishes or cancel it."
    assert f'title="{reason}"' in page
    assert f'disabled aria-disabled="true" aria-label="Delete: {reason}" data-testid="delete"' in page
    assert 'title="Plan plan-1 is already running (Running)."' in page
    assert f'href="/plans/{plan.pk}/duplicate/" data-testid="duplicate"' in page


def test_start_page_and_post(client, people, make_plan):
    plan = make_plan()
    client = as_user(client, people["editor"])
    page = body(client.get(reverse("plans:plan_start", args=[plan.pk])))
    assert "Start migrating the 2 VMs of plan-1 from vcenter to host (cold), into project team-a." in page
    response = client.post(reverse("plans:plan_start", args=[plan.pk]), follow=True)
    migration = Migration.objects.get(plan=plan)
    assert migration.status == RunStatus.PENDING
    assert f"Started plan plan-1: migration #{migration.pk} is Pending." in body(response)
    response = client.post(reverse("plans:plan_start", args=[plan.pk]), follow=True)
    assert "Plan plan-1 is already running (Pending)." in body(response)
    assert Migration.objects.count() == 1


def test_start_refused_when_not_ready(client, people, make_plan, inventory):
    plan = make_plan()
    inventory["storage_map"].pairs.all().delete()
    inventory["storage_map"].save()
    client = as_user(client, people["editor"])
    response = client.post(reverse("plans:plan_start", args=[plan.pk]), follow=True)
    assert "Plan plan-1 is not ready: db-1: Storage datastore1 is not mapped: add it to the storage map." \
        in body(response)
    assert not Migration.objects.exists()


def test_duplicate_page(client, people, make_plan):
    plan = make_plan(archived=True)
    client = as_user(client, people["editor"])
    page = body(client.get(reverse("plans:plan_duplicate", args=[plan.pk])))
    assert 'value="plan-1-copy"' in page and "even though this plan is archived" in page
    response = client.post(reverse("plans:plan_duplicate", args=[plan.pk]), {"name": "plan-1"})
    assert response.status_code == 422
    assert "A plan named plan-1 already exists in project team-a: choose another name." in body(response)
    response = client.post(reverse("plans:plan_duplicate", args=[plan.pk]), {"name": "plan-2"})
    copy = Plan.objects.get(name="plan-2")
    assert response.status_code == 302 and response.url == copy.get_absolute_url()
    assert not copy.archived and copy.vms.count() == 2


def test_archive_page_explains_and_archives(client, people, make_plan):
    plan = make_plan()
    client = as_user(client, people["editor"])
    page = body(client.get(reverse("plans:plan_archive", args=[plan.pk])))
    assert "Archiving cannot be undone." in page and "is removed; migrated VMs and their disks stay." in page
    client.post(reverse("plans:plan_archive", args=[plan.pk]))
    plan.refresh_from_db()
    assert plan.archived
    page = body(client.get(reverse("plans:plan", args=[plan.pk])))
    assert 'data-testid="archived-note"' in page
    assert 'title="Plan plan-1 is archived and read-only. Duplicate it to make a plan you can change."' in page


def test_delete_page_warns_about_leftovers(client, people, make_plan):
    plan = make_plan()
    ran(plan, RunStatus.FAILED)
    client = as_user(client, people["editor"])
    page = body(client.get(reverse("plans:plan_delete", args=[plan.pk])))
    assert "deleting it leaves its importer pods, conversion pods" in page
    assert "its network map netmap, storage map storagemap, its hooks stay for other plans to use." in page
    response = client.post(reverse("plans:plan_delete", args=[plan.pk]))
    assert response.url == reverse("plans:plan_list") and not Plan.objects.exists()


def test_bulk_archive_confirms_each_plan_then_reports(client, people, make_plan):
    a, b, c = make_plan("a"), make_plan("b"), make_plan("c", archived=True)
    ran(b, RunStatus.RUNNING)
    client = as_user(client, people["editor"])
    page = body(client.post(reverse("plans:plan_bulk"), {"action": "archive", "pk": [a.pk, b.pk, c.pk]}))
    assert "Archive 3 plans?" in page
    assert "Refused: Plan b is running (Running): wait until it finishes or cancel it, then archive it." in page
    assert "Refused: Plan c is already archived." in page
    assert "Archive 1 plan<" in page
    response = client.post(reverse("plans:plan_bulk"), {"action": "archive", "pk": [a.pk, b.pk], "confirm": "yes"},
                           follow=True)
    text = body(response)
    assert "Archived 1 plan: a." in text
    assert "Plan b is running (Running): wait until it finishes or cancel it, then archive it." in text
    assert sorted(Plan.objects.filter(archived=True).values_list("name", flat=True)) == ["a", "c"]


def test_bulk_delete_warns_and_deletes_several(client, people, make_plan):
    a, b = make_plan("a"), make_plan("b")
    ran(b, RunStatus.FAILED)
    client = as_user(client, people["editor"])
    page = body(client.post(reverse("plans:plan_bulk"), {"action": "delete", "pk": [a.pk, b.pk]}))
    assert "Plan b has run and is not archived: deleting it leaves" in page
    client.post(reverse("plans:plan_bulk"), {"action": "delete", "pk": [a.pk, b.pk], "confirm": "yes"})
    assert not Plan.objects.exists()


def test_bulk_needs_a_selection_and_refuses_a_viewer(client, people, make_plan):
    plan = make_plan()
    client = as_user(client, people["editor"])
    response = client.post(reverse("plans:plan_bulk"), {"action": "delete"}, follow=True)
    assert "Select the plans first: tick the box next to each." in body(response)
    client = as_user(client, people["viewer"])
    response = client.post(reverse("plans:plan_bulk"), {"action": "delete", "pk": [plan.pk], "confirm": "yes"},
                           follow=True)
    assert "You may view plan plan-1 but not delete it." in body(response)
    assert Plan.objects.exists()
    other = as_user(client, people["outsider"])
    response = other.post(reverse("plans:plan_bulk"), {"action": "delete", "pk": [plan.pk], "confirm": "yes"},
                          follow=True)
    assert "A selected plan no longer exists or is not yours to see; reload the list." in body(response)
    assert Plan.objects.exists()

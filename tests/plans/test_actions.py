"""The plan actions' rules (plans.actions): each refusal and the message that says what to do."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from mappings.models import NetworkPair
from plans import actions
from plans.models import Migration, MigrationVM, Plan, PlanVMHook, RunStatus
from tests.plans.helpers import ran, running_with_one_vm_done

pytestmark = pytest.mark.django_db


def test_a_fresh_ready_plan_allows_everything(make_plan, people):
    plan = make_plan()
    assert plan.status == Plan.Status.READY, plan.status_reasons
    verdicts = actions.available(people["editor"], plan)
    assert {name: v["allowed"] for name, v in verdicts.items()} == dict.fromkeys(actions.ACTIONS, True)


@pytest.mark.parametrize("run_status", [RunStatus.PENDING, RunStatus.RUNNING])
def test_a_running_plan_refuses_edit_start_archive_and_delete(make_plan, run_status):
    plan = make_plan()
    ran(plan, run_status)
    assert actions.can_edit(plan) == (False, f"Plan plan-1 is running ({run_status}): wait until it finishes or "
                                             "cancel it, then edit it.")
    assert actions.can_start(plan) == (False, f"Plan plan-1 is already running ({run_status}).")
    assert actions.can_archive(plan) == (False, f"Plan plan-1 is running ({run_status}): wait until it finishes "
                                                "or cancel it, then archive it.")
    assert actions.can_delete(plan) == (False, f"Plan plan-1 is running ({run_status}) and cannot be deleted: wait "
                                               "until it finishes or cancel it.")
    assert actions.can_duplicate(plan) == (True, "")


def test_a_succeeded_plan_cannot_be_edited_or_started_again(make_plan):
    plan = make_plan()
    ran(plan, RunStatus.SUCCEEDED)
    assert actions.can_edit(plan) == (False, "Plan plan-1 has already migrated its VMs successfully and can no "
                                             "longer be edited. Duplicate it to migrate the same VMs again or "
                                             "elsewhere.")
    assert actions.can_start(plan) == (False, "Plan plan-1 has already migrated its VMs successfully. Duplicate it "
                                              "to migrate them again.")
    assert actions.can_archive(plan)[0] and actions.can_delete(plan)[0]


@pytest.mark.parametrize("run_status", [RunStatus.FAILED, RunStatus.CANCELED])
def test_a_failed_or_canceled_plan_may_be_edited_and_restarted(make_plan, run_status):
    plan = make_plan()
    ran(plan, RunStatus.SUCCEEDED)  # an older run; the latest one decides
    ran(plan, run_status)
    assert actions.can_edit(plan) == (True, "")
    assert actions.can_start(plan) == (True, "")


def test_an_archived_plan_is_read_only(make_plan, people):
    plan = actions.archive(people["editor"], make_plan())
    assert plan.archived and Plan.objects.get(pk=plan.pk).archived
    assert actions.can_edit(plan) == (False, "Plan plan-1 is archived and read-only. Duplicate it to make a plan "
                                             "you can change.")
    assert actions.can_start(plan) == (False, "Plan plan-1 is archived and cannot run again. Duplicate it to run "
                                              "the same migration.")
    assert actions.can_archive(plan) == (False, "Plan plan-1 is already archived.")
    assert actions.can_duplicate(plan) == (True, "") and actions.can_delete(plan) == (True, "")
    with pytest.raises(actions.ActionRefused, match="already archived"):
        actions.archive(people["editor"], plan)


def test_start_needs_a_ready_plan_and_says_why_not(make_plan, inventory, people):
    plan = make_plan()
    NetworkPair.objects.filter(map=inventory["network_map"], source_id="network-2").delete()
    inventory["network_map"].save()  # maps are touched when their pairs change
    with pytest.raises(actions.ActionRefused) as refused:
        actions.start(people["editor"], plan)
    assert refused.value.message == ("Plan plan-1 is not ready: db-1: Network Storage Net is not mapped: add it to "
                                     "the network map.")
    assert not Migration.objects.exists()
    plan.refresh_from_db()
    assert plan.status == Plan.Status.NOT_READY


def test_start_creates_a_pending_migration_with_every_vm(make_plan, people):
    plan = make_plan()
    migration = actions.start(people["editor"], plan)
    assert migration.status == RunStatus.PENDING
    assert sorted(MigrationVM.objects.filter(migration=migration).values_list("vm_id", "name", "status")) == [
        ("vm-1", "web-1", "Pending"), ("vm-2", "db-1", "Pending")]
    with pytest.raises(actions.ActionRefused, match="already running"):
        actions.start(people["editor"], plan)


def test_duplicate_copies_vms_target_names_maps_and_hooks(make_plan, inventory, people):
    plan = make_plan(description="Wave 1", warm=True, transfer_network="team-a/vlan-100",
                     target_names={"vm-2": "database"},
                     hooks={"vm-1": [("PreHook", inventory["hook"]), ("PostHook", inventory["hook"])]})
    copy = actions.duplicate(people["editor"], plan, "plan-1-again")
    assert (copy.namespace, copy.description, copy.warm, copy.transfer_network, copy.target_namespace) == (
        "team-a", "Wave 1", True, "team-a/vlan-100", "team-a")
    assert (copy.network_map, copy.storage_map) == (plan.network_map, plan.storage_map)
    assert sorted(copy.vms.values_list("vm_id", "name", "target_name")) == [
        ("vm-1", "web-1", ""), ("vm-2", "db-1", "database")]
    assert sorted(PlanVMHook.objects.filter(plan_vm__plan=copy).values_list("plan_vm__vm_id", "step", "hook__name")) \
        == [("vm-1", "PostHook", "prep"), ("vm-1", "PreHook", "prep")]
    copy.refresh_from_db()
    plan.refresh_from_db()
    assert copy.checked is not None and not copy.archived
    # Warm needs changed block tracking, which these VMs lack: the copy is checked like the original.
    assert (copy.status, copy.status_reasons) == (plan.status, plan.status_reasons) == (
        Plan.Status.NOT_READY, ["db-1: Changed block tracking is off: warm migration needs it. Turn on CBT "
                                "(ctkEnabled) for the VM or migrate cold.",
                                "web-1: Changed block tracking is off: warm migration needs it. Turn on CBT "
                                "(ctkEnabled) for the VM or migrate cold."])
    assert plan.vms.count() == 2  # the original keeps its VMs


@pytest.mark.parametrize("state", ["archived", RunStatus.FAILED, RunStatus.SUCCEEDED, RunStatus.RUNNING])
def test_duplicate_works_from_any_state(make_plan, people, state):
    plan = make_plan(archived=state == "archived")
    if state != "archived":
        ran(plan, state)
    copy = actions.duplicate(people["editor"], plan, "copy")
    assert copy.vms.count() == 2 and not copy.migrations.exists()
    assert actions.can_edit(copy) == (True, "")


@pytest.mark.parametrize("name,message", [
    ("", "Enter a name for the new plan."),
    ("Bad_Name", "Bad_Name is not a valid name: use at most 253 lower-case letters, digits, '-' and '.', starting "
                 "and ending with a letter or digit."),
    ("plan-1", "A plan named plan-1 already exists in project team-a: choose another name."),
])
def test_duplicate_needs_a_free_valid_name(make_plan, people, name, message):
    plan = make_plan()
    with pytest.raises(ValidationError) as refused:
        actions.duplicate(people["editor"], plan, name)
    assert refused.value.messages == [message]
    assert Plan.objects.count() == 1


def test_delete_warns_about_leftovers_unless_archived_or_never_run(make_plan, people):
    plan = make_plan()
    assert actions.delete_warning(plan) == ""
    ran(plan, RunStatus.FAILED)
    plan = Plan.objects.get(pk=plan.pk)
    assert actions.delete_warning(plan) == (
        "Plan plan-1 has run and is not archived: deleting it leaves its importer pods, conversion pods, config maps, "
        "secrets, failed VMs and data volumes on the cluster. Archive it first to have them cleaned up.")
    plan = actions.archive(people["editor"], plan)
    assert actions.delete_warning(plan) == ""
    assert actions.delete(people["editor"], plan) == "plan-1"
    assert not Plan.objects.exists() and not Migration.objects.exists()


def test_delete_keeps_maps_and_hooks(make_plan, inventory, people):
    plan = make_plan(hooks={"vm-1": [("PreHook", inventory["hook"])]})
    actions.delete(people["editor"], plan)
    for key in ("network_map", "storage_map", "hook"):
        assert type(inventory[key]).objects.filter(pk=inventory[key].pk).exists()


@pytest.mark.parametrize("action,kwargs", [("start", {}), ("archive", {}), ("delete", {}),
                                           ("duplicate", {"name": "copy"})])
def test_a_viewer_may_do_none_of_it(make_plan, people, action, kwargs):
    plan = make_plan()
    assert actions.refusal(people["viewer"], plan, action) == (
        "role", f"You may view plan plan-1 but not {action} it.")
    with pytest.raises(PermissionDenied, match=f"You may view plan plan-1 but not {action} it."):
        actions.perform(people["viewer"], plan, action, **kwargs)
    plan.refresh_from_db()
    assert not plan.archived and Plan.objects.count() == 1 and not Migration.objects.exists()


def test_bulk_acts_on_each_plan_and_reports_each_refusal(make_plan, people):
    ready, running, archived = make_plan("a"), make_plan("b"), make_plan("c", archived=True)
    ran(running, RunStatus.RUNNING)
    results = actions.bulk(people["editor"], [ready, running, archived], "archive")
    assert [(p.name, done, text) for p, done, text in results] == [
        ("a", True, "Archived plan a."),
        ("b", False, "Plan b is running (Running): wait until it finishes or cancel it, then archive it."),
        ("c", False, "Plan c is already archived."),
    ]
    results = actions.bulk(people["editor"], list(Plan.objects.order_by("name")), "delete")
    assert [(p.name, done) for p, done, _ in results] == [("a", True), ("b", False), ("c", True)]
    assert list(Plan.objects.values_list("name", flat=True)) == ["b"]


def test_cancel_leaves_a_vm_that_already_succeeded_alone(make_plan, people):
    from plans.engine import scheduler

    migration = running_with_one_vm_done(make_plan())
    assert actions.cancel(people["editor"], migration, ["vm-1", "vm-2"]) == ["db-1"]
    states = dict(migration.vms.values_list("vm_id", "status"))
    assert states == {"vm-1": RunStatus.SUCCEEDED, "vm-2": RunStatus.CANCELED}
    # The engine's next round: only the canceled VM is undone; the migrated one keeps what it made.
    scheduler.tick()
    done, canceled = migration.vms.get(vm_id="vm-1"), migration.vms.get(vm_id="vm-2")
    assert done.status == RunStatus.SUCCEEDED and "cleaned" not in done.memo and done.completed is None
    assert canceled.memo.get("cleaned") is True


def test_cancel_of_a_migration_that_ended_is_refused(make_plan, people):
    migration = ran(make_plan(), RunStatus.SUCCEEDED)
    with pytest.raises(actions.ActionRefused, match="has ended \\(Succeeded\\): there is nothing to cancel"):
        actions.cancel(people["editor"], migration, ["vm-1"])
    assert set(migration.vms.values_list("status", flat=True)) == {RunStatus.SUCCEEDED}


def test_the_start_button_says_restart_after_a_run_that_left_vms_to_migrate(make_plan):
    plan = make_plan()
    assert actions.start_label(plan) == "Start"
    for run_status, label in ((RunStatus.FAILED, "Restart"), (RunStatus.CANCELED, "Restart"),
                              (RunStatus.SUCCEEDED, "Start"), (RunStatus.RUNNING, "Start")):
        ran(plan, run_status)
        fresh = Plan.objects.get(pk=plan.pk)  # last_run_status is kept per object
        assert actions.start_label(fresh) == label, run_status
    # A VM added after a successful run is waiting: restarting migrates it alone.
    Migration.objects.filter(plan=plan).update(status=RunStatus.SUCCEEDED)
    MigrationVM.objects.filter(migration__plan=plan).update(status=RunStatus.SUCCEEDED)
    plan.vms.create(vm_id="vm-3", name="new-1")
    assert actions.start_label(Plan.objects.get(pk=plan.pk)) == "Restart"


def test_archiving_a_plan_that_ran_removes_its_leftovers(make_plan, people, monkeypatch):
    from plans.engine import cleanup

    cleaned = []
    monkeypatch.setattr(cleanup, "clean_plan", lambda plan: cleaned.append(plan.name))
    never_ran, ran_once = make_plan("a"), make_plan("b")
    ran(ran_once, RunStatus.FAILED)
    actions.archive(people["editor"], never_ran)
    actions.archive(people["editor"], ran_once)
    assert cleaned == ["b"]

    def unreachable(plan):
        raise ConnectionError("the cluster is away")

    monkeypatch.setattr(cleanup, "clean_plan", unreachable)
    third = make_plan("c")
    ran(third, RunStatus.SUCCEEDED)
    assert actions.archive(people["editor"], third).archived  # archived all the same; leftovers by hand
    assert Plan.objects.get(pk=third.pk).archived


def test_bulk_reports_a_role_refusal_in_words(make_plan, people):
    plan = make_plan("a")
    [(_, done, text)] = actions.bulk(people["viewer"], [plan], "archive")
    assert (done, text) == (False, "You may view plan a but not archive it.")
    with pytest.raises(ValueError, match="start is not a bulk action"):
        actions.bulk(people["editor"], [plan], "start")

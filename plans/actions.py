"""What may be done to a plan, and why not (guide §4.8, §4.9): the one place the console pages,
the REST API and the bulk actions ask.

`can_<action>(plan) -> (allowed, reason)` judge the plan's state only; `refusal(user, plan,
action)` adds the user's role; `perform(user, plan, action, …)` checks both again inside a
transaction that locks the plan, then acts. Refusals say what to do instead.
"""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from mtvweb.models import Namespace
from mtvweb.validators import validate_object_name
from plans import status, tenancy
from plans.models import Migration, MigrationVM, Plan, PlanVMHook, RunStatus

ACTIVE = (RunStatus.PENDING, RunStatus.RUNNING)
ACTIONS = ["edit", "start", "duplicate", "archive", "delete"]
# The role each action needs, as mtvweb.access names them.
ACCESS = {"edit": "change", "start": "run", "duplicate": "add", "archive": "change", "delete": "delete"}

# What a plan that ran leaves on the cluster until it is archived (guide §4.9, BZ#2018974).
logger = logging.getLogger("mtvweb.plans")
LEFTOVERS = "importer pods, conversion pods, config maps, secrets, failed VMs and data volumes"


class ActionRefused(Exception):
    """The plan's state does not allow the action; the message says why and what to do."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def last_run_status(plan: Plan) -> str | None:
    """The status of the plan's latest Migration, None when it never ran. List views annotate
    `last_run_status` so that a page of plans costs no query per row."""
    if hasattr(plan, "last_run_status"):
        return plan.last_run_status
    if not hasattr(plan, "_last_run_status"):
        plan._last_run_status = plan.migrations.order_by("-created", "-pk").values_list("status", flat=True).first()
    return plan._last_run_status


def is_running(plan: Plan) -> bool:
    return last_run_status(plan) in ACTIVE


def can_edit(plan: Plan) -> tuple[bool, str]:
    if plan.archived:
        return False, f"Plan {plan.name} is archived and read-only. Duplicate it to make a plan you can change."
    if is_running(plan):
        return False, (f"Plan {plan.name} is running ({last_run_status(plan)}): wait until it finishes or cancel it, "
                       "then edit it.")
    if last_run_status(plan) == RunStatus.SUCCEEDED:
        return False, (f"Plan {plan.name} has already migrated its VMs successfully and can no longer be edited. "
                       "Duplicate it to migrate the same VMs again or elsewhere.")
    return True, ""


def start_label(plan: Plan) -> str:
    """"Restart" after a failed or canceled run (guide §4.9), else "Start"."""
    if last_run_status(plan) in (RunStatus.FAILED, RunStatus.CANCELED):
        return "Restart"
    return "Restart" if last_run_status(plan) == RunStatus.SUCCEEDED and waiting_vms(plan) else "Start"


def waiting_vms(plan: Plan) -> list[str]:
    """The plan's VMs no migration has moved successfully yet (canceled or failed ones, new ones)."""
    migrated = set(MigrationVM.objects.filter(migration__plan=plan, status=RunStatus.SUCCEEDED)
                   .values_list("vm_id", flat=True))
    return [vm.vm_id for vm in plan.vms.all() if vm.vm_id not in migrated]


def can_start(plan: Plan) -> tuple[bool, str]:
    if plan.archived:
        return False, f"Plan {plan.name} is archived and cannot run again. Duplicate it to run the same migration."
    if is_running(plan):
        return False, f"Plan {plan.name} is already running ({last_run_status(plan)})."
    if last_run_status(plan) == RunStatus.SUCCEEDED and not waiting_vms(plan):
        return False, (f"Plan {plan.name} has already migrated its VMs successfully. Duplicate it to migrate them "
                       "again.")
    if plan.status != Plan.Status.READY:
        reasons = " ".join(plan.status_reasons) or "its checks have not run yet."
        return False, f"Plan {plan.name} is not ready: {reasons}"
    return True, ""


def can_start_as(user, plan: Plan) -> tuple[bool, str]:
    """can_start, and whether this user may still use everything the plan runs with (roles and
    inventories change after a plan is saved): the button says so before the click does."""
    allowed, reason = can_start(plan)
    if allowed and (refused := tenancy.run_refusal(user, plan, waiting_vms(plan))):
        return False, refused
    return allowed, reason


def can_duplicate(plan: Plan) -> tuple[bool, str]:
    # Any plan may be copied: archived, failed, running, ready (guide §4.9).
    return True, ""


def can_archive(plan: Plan) -> tuple[bool, str]:
    if plan.archived:
        return False, f"Plan {plan.name} is already archived."
    if is_running(plan):
        return False, (f"Plan {plan.name} is running ({last_run_status(plan)}): wait until it finishes or cancel it, "
                       "then archive it.")
    return True, ""


def can_delete(plan: Plan) -> tuple[bool, str]:
    if is_running(plan):
        return False, (f"Plan {plan.name} is running ({last_run_status(plan)}) and cannot be deleted: wait until it "
                       "finishes or cancel it.")
    return True, ""


RULES = {"edit": can_edit, "start": can_start, "duplicate": can_duplicate, "archive": can_archive,
         "delete": can_delete}


def delete_warning(plan: Plan) -> str:
    """What deleting the plan leaves behind; empty when nothing is."""
    if plan.archived or last_run_status(plan) is None:
        return ""
    return (f"Plan {plan.name} has run and is not archived: deleting it leaves its {LEFTOVERS} on the cluster. "
            "Archive it first to have them cleaned up.")


ARCHIVE_NOTE = ("An archived plan is read-only: it cannot be edited or started again, only viewed, duplicated or "
                "deleted. Archiving cannot be undone. What its migrations left on the cluster "
                f"({LEFTOVERS}) is removed; migrated VMs and their disks stay.")


def may(user, plan: Plan, action: str) -> bool:
    """Does the user's role allow the action on this plan (its state aside)?"""
    return Plan.objects.restrict(user, ACCESS[action]).filter(pk=plan.pk).exists()


def refusal(user, plan: Plan, action: str) -> tuple[str, str] | None:
    """None when the user may do it now; else ("role" or "state", the reason)."""
    if not may(user, plan, action):
        return "role", f"You may view plan {plan.name} but not {action} it."
    allowed, reason = RULES[action](plan)
    return None if allowed else ("state", reason)


def available(user, plan: Plan) -> dict[str, dict]:
    """Each action's verdict for the user, for pages and API records:
    {action: {"allowed": bool, "reason": str, "permitted": the role allows it}}."""
    verdicts = {}
    for action in ACTIONS:
        permitted = may(user, plan, action)
        rule = (lambda p: can_start_as(user, p)) if action == "start" else RULES[action]
        allowed, reason = rule(plan) if permitted else (False, f"Your role does not allow {action}.")
        verdicts[action] = {"allowed": allowed, "reason": reason, "permitted": permitted}
    return verdicts


def validate_new_name(namespace: str, name: str) -> None:
    """Raise ValidationError unless `name` is a free, valid plan name in the namespace."""
    name = (name or "").strip()
    if not name:
        raise ValidationError("Enter a name for the new plan.")
    validate_object_name(name)
    if Plan.objects.filter(namespace=namespace, name=name).exists():
        raise ValidationError(f"A plan named {name} already exists in project {namespace}: choose another name.")


def _locked(user, plan: Plan, action: str) -> Plan:
    """The plan re-read under a row lock, after checking role and state again."""
    plan = Plan.objects.select_for_update().get(pk=plan.pk)
    refused = refusal(user, plan, action)
    if refused:
        kind, reason = refused
        raise PermissionDenied(reason) if kind == "role" else ActionRefused(reason)
    return plan


def start(user, plan: Plan) -> Migration:
    """Create the plan's next Migration (Pending; the engine picks it up) — only when the plan is Ready
    by checks run now, not by a status that may be stale."""
    if not may(user, plan, "start"):
        raise PermissionDenied(f"You may view plan {plan.name} but not start it.")
    status.refresh(plan)
    with transaction.atomic():
        plan = _locked(user, plan, "start")
        # A restart runs again only the VMs that have not migrated yet (failed or canceled ones).
        waiting = set(waiting_vms(plan))
        # The plan was checked when saved; the user's roles, or who saved it, may differ now.
        if refused := tenancy.run_refusal(user, plan, waiting):
            raise PermissionDenied(refused)
        migration = Migration.objects.create(plan=plan, status=RunStatus.PENDING, started_by=user)
        MigrationVM.objects.bulk_create(MigrationVM(migration=migration, vm_id=vm.vm_id, name=vm.name)
                                        for vm in plan.vms.all() if vm.vm_id in waiting)
    return migration


def cancel(user, migration: Migration, vm_ids) -> list[str]:
    """Cancel VMs of a running migration (guide §4.10); the engine removes what they created and
    powers their sources back on if they ran. Returns the names of the VMs canceled."""
    plan = migration.plan
    if not may(user, plan, "start"):
        raise PermissionDenied(f"You may view plan {plan.name} but not cancel its VMs.")
    with transaction.atomic():
        migration = Migration.objects.select_for_update().get(pk=migration.pk)
        if migration.status not in (RunStatus.PENDING, RunStatus.RUNNING):
            raise ActionRefused(f"Migration #{migration.pk} of plan {plan.name} has ended ({migration.status}): "
                                "there is nothing to cancel.")
        records = migration.vms.filter(vm_id__in=list(vm_ids), status__in=(RunStatus.PENDING, RunStatus.RUNNING))
        names = list(records.values_list("name", flat=True))
        records.update(status=RunStatus.CANCELED, completed=timezone.now())
        migration.cancel = sorted(set(migration.cancel) | set(vm_ids))
        migration.save(update_fields=["cancel"])
    return names


def duplicate(user, plan: Plan, name: str) -> Plan:
    """A new plan in the same project with the same VMs, target names, maps and hooks."""
    with transaction.atomic():
        source = _locked(user, plan, "duplicate")
        validate_new_name(source.namespace, name)
        copy = Plan.objects.create(
            name=name.strip(), namespace=source.namespace, description=source.description,
            source_provider_id=source.source_provider_id, destination_provider_id=source.destination_provider_id,
            target_namespace=source.target_namespace, warm=source.warm, transfer_network=source.transfer_network,
            skip_guest_conversion=source.skip_guest_conversion, network_map_id=source.network_map_id, storage_map_id=source.storage_map_id)
        for vm in source.vms.prefetch_related("hooks"):
            hooks = list(vm.hooks.all())
            vm.pk, vm.plan = None, copy
            vm.save()
            PlanVMHook.objects.bulk_create(PlanVMHook(plan_vm=vm, hook_id=h.hook_id, step=h.step) for h in hooks)
        if not Plan.objects.restrict(user, "add").filter(pk=copy.pk).exists():
            raise PermissionDenied(f"You may not create plans in project {copy.namespace}.")
        Namespace.objects.get_or_create(name=copy.namespace)
    status.refresh(copy)
    return copy


def archive(user, plan: Plan) -> Plan:
    with transaction.atomic():
        plan = _locked(user, plan, "archive")
        plan.archived = True
        plan.save(update_fields=["archived", "updated"])
    if plan.migrations.exists():
        from plans.engine.cleanup import clean_plan

        try:
            clean_plan(plan)
        except Exception:  # noqa: BLE001 - the plan stays archived; what is left can be removed by hand
            logger.warning("plan %s archived, but its leftovers in %s were not all removed", plan.name,
                           plan.target_namespace, exc_info=True)
    return plan


def delete(user, plan: Plan) -> str:
    """Delete the plan (its VM list, hook uses and migration records go with it; maps and hooks
    stay, they are reusable); returns the name."""
    with transaction.atomic():
        plan = _locked(user, plan, "delete")
        name = plan.name
        plan.delete()
    return name


def perform(user, plan: Plan, action: str, **kwargs):
    """Run one action by name (archive, delete, start, duplicate)."""
    return {"start": start, "duplicate": duplicate, "archive": archive, "delete": delete}[action](user, plan, **kwargs)


def bulk(user, plans, action: str) -> list[tuple[Plan, bool, str]]:
    """Archive or delete several plans, each on its own (one refusal does not stop the others);
    returns (plan, done, message) for each."""
    if action not in ("archive", "delete"):
        raise ValueError(f"{action} is not a bulk action")
    results = []
    for plan in plans:
        try:
            perform(user, plan, action)
        except (PermissionDenied, ActionRefused) as exc:
            results.append((plan, False, getattr(exc, "message", None) or str(exc)))
        else:
            results.append((plan, True, f"{'Archived' if action == 'archive' else 'Deleted'} plan {plan.name}."))
    return results

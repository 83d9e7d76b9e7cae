"""What the plan API answers: a plan's Forklift spec with its status, and in detail its VMs (with
target names and concerns), its maps' pairs, its migrations and what the caller may do to it."""

from __future__ import annotations

from plans import actions, manifests
from plans.checks import check_plan
from plans.models import Migration, Plan
from plans.status import draft_of
from providers.models import VirtualMachine


def when(value) -> str | None:
    return value.isoformat() if value else None


def migration_record(migration: Migration, detail: bool = False) -> dict:
    record = {"id": migration.pk, "status": migration.status, "created": when(migration.created),
              "started": when(migration.started), "completed": when(migration.completed),
              "vmCount": migration.vms.count(), "cancel": migration.cancel}
    if detail:  # each VM's pipeline, as Forklift's Migration status.vms[] tells it
        record["vms"] = [{"id": vm.vm_id, "name": vm.name, "status": vm.status, "phase": vm.phase,
                          "error": vm.error, "targetName": vm.memo.get("target_name", ""),
                          "started": when(vm.started), "completed": when(vm.completed),
                          "pipeline": [{k: v for k, v in step.items()} for step in vm.steps],
                          "disks": [{k: v for k, v in disk.items() if k != "log"} for disk in vm.disks]}
                         for vm in migration.vms.all()]
    return record


def summary(plan: Plan) -> dict:
    """A row of the plan list."""
    return {
        "id": plan.pk, "name": plan.name, "namespace": plan.namespace, "description": plan.description,
        "source": manifests.ref(plan.source_provider), "sourceType": plan.source_provider.type,
        "destination": manifests.ref(plan.destination_provider), "targetNamespace": plan.target_namespace,
        "warm": plan.warm, "skipGuestConversion": plan.skip_guest_conversion, "archived": plan.archived, "vmCount": plan_vm_count(plan),
        "status": plan.status, "statusReasons": plan.status_reasons, "checked": when(plan.checked),
        "lastMigration": actions.last_run_status(plan),
    }


def plan_vm_count(plan: Plan) -> int:
    return plan.vm_count if hasattr(plan, "vm_count") else plan.vms.count()


def vm_records(plan: Plan) -> list[dict]:
    result = check_plan(draft_of(plan))
    inventory = {vm.uid: vm for vm in VirtualMachine.objects.filter(provider=plan.source_provider,
                                                                    uid__in=plan.vms.values("vm_id"))}
    records = []
    for vm in plan.vms.prefetch_related("hooks__hook"):
        found = inventory.get(vm.vm_id)
        records.append({
            "id": vm.vm_id, "name": vm.name,
            "targetName": result.target_names.get(vm.vm_id, vm.target_name or vm.name),
            "targetNameChosen": bool(vm.target_name),
            "inInventory": found is not None,
            "concerns": found.concerns if found else [],
            "hooks": [{"step": h.step, "hook": manifests.ref(h.hook)} for h in vm.hooks.all()],
        })
    return records


def detail(plan: Plan, user) -> dict:
    record = summary(plan)
    record.update({
        "spec": manifests.plan_manifest(plan)["spec"],
        "vms": vm_records(plan),
        "networkMap": map_record(plan.network_map, manifests.network_map_manifest),
        "storageMap": map_record(plan.storage_map, manifests.storage_map_manifest),
        "migrations": [migration_record(m) for m in plan.migrations.all()[:20]],
        "actions": {name: {"allowed": v["allowed"], "reason": v["reason"]}
                    for name, v in actions.available(user, plan).items()},
    })
    return record


def map_record(mapping, manifest) -> dict | None:
    if mapping is None:
        return None
    return {"id": mapping.pk, **manifests.ref(mapping), "map": manifest(mapping)["spec"]["map"]}

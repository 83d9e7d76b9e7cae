"""CSV exports: the plan list (as filtered) and one plan's VMs."""

import csv

from django.http import HttpResponse
from django.utils import timezone

from plans import actions
from plans.checks import check_plan
from plans.status import draft_of
from providers.models import VirtualMachine

# A spreadsheet runs a cell that starts with one of these as a formula; VM names and descriptions
# come from other people's systems.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cell(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_response(filename: str, header: list[str], rows) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv.writer(response)
    writer.writerow(header)
    writer.writerows([cell(v) for v in row] for row in rows)
    return response


PLAN_HEADER = ["Name", "Project", "Source provider", "Source type", "Target provider", "Target project", "VMs",
               "Status", "Reasons", "Migration type", "Last migration", "Description", "Created"]


def plan_status(plan) -> str:
    return "Archived" if plan.archived else plan.get_status_display()


def plans_csv(plans) -> HttpResponse:
    rows = ([p.name, p.namespace, p.source_provider.name, p.source_provider.type, p.destination_provider.name,
             p.target_namespace, p.vm_count, plan_status(p), " ".join(p.status_reasons) if not p.archived else "",
             "Warm" if p.warm else "Cold", actions.last_run_status(p) or "Not started", p.description,
             p.created.isoformat()] for p in plans)
    return csv_response(f"plans-{timezone.now():%Y%m%d-%H%M}.csv", PLAN_HEADER, rows)


VM_HEADER = ["Source VM", "Source id", "Target name", "Concern level", "Concerns", "PreHook", "PostHook",
             "In inventory"]


def vms_csv(plan) -> HttpResponse:
    names = check_plan(draft_of(plan)).target_names
    inventory = {vm.uid: vm for vm in VirtualMachine.objects.filter(provider=plan.source_provider,
                                                                    uid__in=plan.vms.values("vm_id"))}
    rows = []
    for vm in plan.vms.prefetch_related("hooks__hook"):
        found = inventory.get(vm.vm_id)
        hooks = {h.step: h.hook.name for h in vm.hooks.all()}
        concerns = "; ".join(f"{c.get('category')}: {c.get('label')}" for c in (found.concerns if found else []))
        rows.append([vm.name, vm.vm_id, names.get(vm.vm_id, vm.target_name or vm.name),
                     found.get_concern_level_display() if found else "", concerns, hooks.get("PreHook", ""),
                     hooks.get("PostHook", ""), "yes" if found else "no"])
    return csv_response(f"plan-{plan.name}-vms.csv", VM_HEADER, rows)

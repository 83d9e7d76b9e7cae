"""A plan's Ready / Not ready status, from the plan checks over the current inventory, maps
and rules. `refresh()` recomputes one plan; `refresh_stale()` those whose inputs changed;
`StatusThread` calls it every round (`manage.py engine` runs one)."""

from __future__ import annotations

import hashlib
import json
import logging
import threading

from django.db import close_old_connections
from django.utils import timezone

from plans.checks import CRITICAL, PlanDraft, check_plan
from plans.models import Plan

logger = logging.getLogger("mtvweb.status")


def draft_of(plan: Plan) -> PlanDraft:
    network_map = {p.source_id: p.destination for p in plan.network_map.pairs.all()} if plan.network_map else {}
    storage_map = {p.source_id: {"storageClass": p.storage_class, "volumeMode": p.volume_mode}
                   for p in plan.storage_map.pairs.all()} if plan.storage_map else {}
    vms = list(plan.vms.all())
    return PlanDraft(source=plan.source_provider, target=plan.destination_provider,
                     target_namespace=plan.target_namespace, vm_ids=[v.vm_id for v in vms],
                     network_map=network_map, storage_map=storage_map, warm=plan.warm,
                     target_names={v.vm_id: v.target_name for v in vms if v.target_name})


def refresh(plan: Plan):
    """Run the checks and store the status; returns the CheckResult for callers that show it."""
    result = check_plan(draft_of(plan))
    reasons = [str(f) for f in result.findings if f.category == CRITICAL]
    if not plan.vms.exists():
        reasons.insert(0, "The plan has no VMs: add the VMs to migrate.")
    if not plan.network_map_id:
        reasons.append("The plan has no network map: choose or create one.")
    if not plan.storage_map_id:
        reasons.append("The plan has no storage map: choose or create one.")
    status = Plan.Status.NOT_READY if reasons else Plan.Status.READY
    Plan.objects.filter(pk=plan.pk).update(status=status, status_reasons=reasons, checked=timezone.now())
    plan.status, plan.status_reasons = status, reasons
    return result


def inputs_fingerprint(plan: Plan) -> str:
    """Everything the checks read: when it is unchanged, so is the status."""
    from django.db.models import Max

    from plans.settings import ControllerSettings
    from providers.models import RuleSet

    parts = [plan.updated, plan.source_provider.revision, plan.source_provider.status,
             plan.destination_provider.revision, plan.destination_provider.status,
             plan.network_map.updated if plan.network_map else None,
             plan.storage_map.updated if plan.storage_map else None,
             plan.vms.aggregate(Max("pk"))["pk__max"], plan.vms.count(),
             ControllerSettings.current().updated, RuleSet.objects.aggregate(Max("changes"))["changes__max"]]
    return hashlib.blake2b(json.dumps(parts, default=str).encode(), digest_size=12).hexdigest()


_seen: dict[int, str] = {}


def refresh_stale() -> int:
    """Recompute the status of live plans whose inputs changed since the last round."""
    count = 0
    plans = Plan.objects.filter(archived=False).select_related(
        "source_provider", "destination_provider", "network_map", "storage_map")
    for plan in plans:
        fingerprint = inputs_fingerprint(plan)
        if _seen.get(plan.pk) != fingerprint:
            refresh(plan)
            _seen[plan.pk] = fingerprint
            count += 1
    return count


class StatusThread(threading.Thread):
    """Keeps plan statuses current as their inventory, maps, rules and settings change."""

    def __init__(self, stop: threading.Event, poll: float = 1.0):
        super().__init__(name="plan-status", daemon=True)
        self.stop, self.poll = stop, poll

    def run(self):
        while not self.stop.is_set():
            close_old_connections()
            try:
                refresh_stale()
            except Exception:
                logger.exception("plan status round failed")
            self.stop.wait(self.poll)

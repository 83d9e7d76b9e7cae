"""Move one VM along its pipeline as far as it can go now. Each step's result is saved as the
step completes, so an engine that dies loses at most the step it was in (steps are idempotent)."""

from __future__ import annotations

import logging

from django.utils import timezone

from plans.engine import lease, transfer_rights
from plans.engine.context import StepFailed, VMContext
from plans.engine.pipeline import pipeline_for
from plans.models import MigrationVM, RunStatus
from plans.settings import ControllerSettings
from providers.adapters import ProviderError

logger = logging.getLogger("mtvweb.engine")
PENDING, RUNNING, DONE, FAILED, SKIPPED = "Pending", "Running", "Completed", "Failed", "Skipped"


def step_records(record: MigrationVM, pipeline) -> list[dict]:
    """The record's steps, created on the first visit (names and titles from the pipeline)."""
    if not record.steps:
        record.steps = [{"name": s.name, "title": s.title, "state": PENDING} for s in pipeline]
    return record.steps


def advance(record: MigrationVM, settings: ControllerSettings, holder: str = lease.HOLDER) -> MigrationVM:
    """Run the VM's steps while they complete; stop at one that waits, or when the VM was canceled
    meanwhile (the save says so: a cancel always wins)."""
    ctx = VMContext(record, settings, holder)
    pipeline = pipeline_for(ctx.plan)
    states = {s["name"]: s for s in step_records(record, pipeline)}
    now = timezone.now
    if record.started is None:
        record.started = now()
    try:
        for step in pipeline:
            state = states[step.name]
            if state["state"] in (DONE, SKIPPED):
                continue
            if state["state"] == PENDING:
                if not step.applies(ctx):
                    state["state"] = SKIPPED
                    continue
                if reason := step.declined(ctx):
                    state.update(state=SKIPPED, reason=reason)
                    ctx.log(f"{step.title}: {reason}")
                    continue
                state.update(state=RUNNING, started=now().isoformat())
                ctx.log(f"{step.title}: started")
            record.phase = step.name
            if not step.handler(ctx):
                break  # waiting for something; called again on the next tick
            state.update(state=DONE, completed=now().isoformat())
            ctx.log(f"{step.title}: done")
            if not ctx.save():
                return record  # canceled meanwhile: the cleanup takes over
        else:
            record.status, record.completed, record.phase = RunStatus.SUCCEEDED, now(), "Completed"
    except (StepFailed, ProviderError) as exc:  # both say what to do
        fail(ctx, states.get(record.phase), getattr(exc, "message", str(exc)), getattr(exc, "log", ""))
    except Exception as exc:  # noqa: BLE001 - an engine bug must fail the VM visibly, not the worker
        logger.exception("step %s of %s failed", record.phase, record)
        fail(ctx, states.get(record.phase), f"Unexpected error in {record.phase}: {exc}", "")
    lease.save(record, holder, ended=record.status != RunStatus.RUNNING)
    return record


def fail(ctx: VMContext, state: dict | None, message: str, log: str) -> None:
    record = ctx.record
    if ctx.memo.get("preparing"):  # e.g. oVirt's open image transfers keep the source's disks locked
        try:
            ctx.ops.release_disks(ctx.vm)
        except Exception:  # noqa: BLE001 - the failure at hand is what the user must see
            logger.warning("releasing the source disks of %s failed", record, exc_info=True)
    try:  # the source's credentials leave the target namespace with the VM's last chance to copy
        transfer_rights.revoke(ctx)
    except Exception:  # noqa: BLE001 - as above; the plan's archive removes them too
        logger.warning("removing the transfer Secret and rights of %s failed", record, exc_info=True)
    if state is not None:
        state.update(state=FAILED, completed=timezone.now().isoformat(), error=message)
    ctx.log(f"failed: {message}")
    if log:
        ctx.log("last lines of the log:\n" + log)
    record.status, record.error, record.completed = RunStatus.FAILED, message, timezone.now()

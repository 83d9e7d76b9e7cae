"""Admit waiting VMs under the limits and move the running ones on; finish migrations whose
VMs are all done. `manage.py engine` calls `tick()` about once a second."""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from contextlib import nullcontext

from django.db import connection, connections, transaction
from django.utils import timezone

from plans import live
from plans.engine import runner
from plans.models import Migration, MigrationVM, RunStatus
from plans.settings import ControllerSettings
from providers.models import VirtualMachine

logger = logging.getLogger("mtvweb.engine")
ACTIVE = (RunStatus.PENDING, RunStatus.RUNNING)
FINAL = (RunStatus.SUCCEEDED, RunStatus.FAILED, RunStatus.CANCELED)


def hosts_of(provider_id: int, vm_ids: set[str]) -> dict[str, str]:
    """{VM id: its source host} in one query (the admission runs every round)."""
    return dict(VirtualMachine.objects.filter(provider_id=provider_id, uid__in=vm_ids).values_list("uid", "host_uid"))


def admit(migration: Migration, limit: int, per_host: int) -> None:
    """Start waiting VMs while the plan has room (the concurrency setting) and their source host
    has too (the per-host setting, counted over every running migration from that provider).
    The others wait, visibly Pending, in the order they were listed."""
    running = MigrationVM.objects.filter(migration__plan=migration.plan, status=RunStatus.RUNNING).count()
    free = max(limit - running, 0)
    if not free:
        return
    source = migration.plan.source_provider_id
    running = list(MigrationVM.objects.filter(migration__plan__source_provider_id=source,
                                              status=RunStatus.RUNNING).values_list("vm_id", flat=True))
    waiting = list(migration.vms.filter(status=RunStatus.PENDING).order_by("pk").values_list("pk", "vm_id"))
    hosts = hosts_of(source, {*running, *(vm_id for _, vm_id in waiting)})
    busy = Counter(hosts.get(vm_id, "") for vm_id in running)
    admitted = []
    for pk, vm_id in waiting:
        if len(admitted) >= free:
            break
        host = hosts.get(vm_id, "")
        if host and busy[host] >= per_host:
            continue
        busy[host] += 1
        admitted.append(pk)
    MigrationVM.objects.filter(pk__in=admitted).update(status=RunStatus.RUNNING, started=timezone.now())


def finish(migration: Migration) -> None:
    states = list(migration.vms.values_list("status", flat=True))
    if any(s not in FINAL for s in states):
        return
    if states and all(s == RunStatus.CANCELED for s in states):
        status = RunStatus.CANCELED
    elif all(s in (RunStatus.SUCCEEDED, RunStatus.CANCELED) for s in states):
        status = RunStatus.SUCCEEDED
    else:
        status = RunStatus.FAILED
    Migration.objects.filter(pk=migration.pk).update(status=status, completed=timezone.now())
    live.changed(migration.plan_id)
    logger.info("migration %s of plan %s: %s", migration.pk, migration.plan.name, status)


def cancel_requested(migration: Migration) -> None:
    """VMs listed in the migration's cancel set (the API's way, as in Forklift) that still run."""
    if migration.cancel:
        migration.vms.filter(vm_id__in=migration.cancel, status__in=ACTIVE).update(status=RunStatus.CANCELED,
                                                                                  completed=timezone.now())


def undo_canceled(migration: Migration, settings: ControllerSettings) -> None:
    from plans.engine.cleanup import undo_vm

    for record in migration.vms.filter(status=RunStatus.CANCELED).exclude(memo__has_key="cleaned"):
        if not record.steps:  # never started: nothing to undo
            record.memo["cleaned"] = True
            record.save(update_fields=["memo"])
            continue
        try:
            undo_vm(record, settings)
        except Exception:  # noqa: BLE001 - tried again next round
            logger.warning("cleanup of canceled %s failed", record, exc_info=True)
        live.changed(migration.plan_id)


def advance_locked(pk: int, settings: ControllerSettings) -> bool:
    """Advance one running VM unless another worker has it; True when it was advanced.

    On Postgres the VM's row stays locked while it advances, so engines in several processes
    share the work. SQLite has no row locks, and a transaction there holds the whole database
    (for as long as a slow source call takes): the embedded setup runs one engine, whose Workers
    never give a VM to two threads, so no transaction is needed."""
    row_locks = connection.features.has_select_for_update
    records = MigrationVM.objects.filter(pk=pk).select_related(
        "migration__plan__source_provider", "migration__plan__destination_provider")
    with transaction.atomic() if row_locks else nullcontext():
        # of=self: lock only this row; the joined migration, plan and providers stay free for the
        # other VMs (a lock on them would make SKIP LOCKED pass over every other VM of the plan)
        locked = (records.select_for_update(skip_locked=True, of=("self",)) if row_locks else records).first()
        if locked is None or locked.status != RunStatus.RUNNING:
            return False  # another worker has it, or it ended meanwhile
        runner.advance(locked, settings)
    live.changed(locked.migration.plan_id)
    return True


class Workers:
    """Running VMs advanced on their own threads: a slow call to a source (an export to Glance, a
    power-off that takes minutes) holds up its own VM only. A VM is on one thread at a time."""

    def __init__(self, size: int):
        self.pool = ThreadPoolExecutor(max_workers=size, thread_name_prefix="vm")
        self.lock = threading.Lock()
        self.busy: set[int] = set()

    def submit(self, pk: int, settings: ControllerSettings) -> bool:
        with self.lock:
            if pk in self.busy:
                return False
            self.busy.add(pk)
        self.pool.submit(self._advance, pk, settings)
        return True

    def _advance(self, pk: int, settings: ControllerSettings) -> None:
        try:
            advance_locked(pk, settings)
        except Exception:  # noqa: BLE001 - logged; the VM is tried again next round
            logger.exception("advancing migration VM %s failed", pk)
        finally:
            connections.close_all()  # this thread's connections; the pool's threads are reused
            with self.lock:
                self.busy.discard(pk)

    def idle(self) -> bool:
        with self.lock:
            return not self.busy

    def shutdown(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)


def tick(workers: Workers | None = None) -> int:
    """One round over every active migration; returns how many VMs were moved on (or handed to
    `workers`, which advance them in the background). The controller settings are read once
    per round: every VM moved on in it sees the same."""
    settings = ControllerSettings.current()
    moved = 0
    for migration in Migration.objects.filter(status__in=ACTIVE).select_related("plan"):
        if migration.status == RunStatus.PENDING:
            Migration.objects.filter(pk=migration.pk).update(status=RunStatus.RUNNING, started=timezone.now())
        cancel_requested(migration)
        undo_canceled(migration, settings)
        admit(migration, settings.max_vm_inflight, settings.max_vm_per_host)
        for pk in migration.vms.filter(status=RunStatus.RUNNING).values_list("pk", flat=True):
            moved += workers.submit(pk, settings) if workers else advance_locked(pk, settings)
        finish(migration)
    return moved


def run(migration: Migration, timeout: float = 300, interval: float = 0.5) -> Migration:
    """Tick until the migration is over (tests and the CLI)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        tick()
        migration.refresh_from_db()
        if migration.status in FINAL:
            return migration
        time.sleep(interval)
    raise TimeoutError(f"migration {migration.pk} still {migration.status} after {timeout} s")

"""Admit waiting VMs under the limits and move the running ones on — each under this engine's
lease (`lease.py`) — and finish migrations whose VMs are all done. `manage.py engine` calls
`tick()` about once a second with worker threads; tests call `run()`."""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

from django.db import connections
from django.db.models import Q
from django.utils import timezone

from plans import live
from plans.engine import lease, runner
from plans.engine.context import log
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
    # Only those still waiting: one canceled meanwhile stays canceled.
    MigrationVM.objects.filter(pk__in=admitted, status=RunStatus.PENDING).update(status=RunStatus.RUNNING,
                                                                               started=timezone.now())


def finish(migration: Migration) -> None:
    """End the migration once every VM has ended and every canceled one is cleaned up."""
    if migration.vms.filter(Q(status__in=ACTIVE) | (Q(status=RunStatus.CANCELED) & ~Q(memo__has_key="cleaned"))
                            ).exists():
        return
    states = list(migration.vms.values_list("status", flat=True))
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


def work(pk: int, settings: ControllerSettings, holder: str = lease.HOLDER, taken_from: str | None = None) -> bool:
    """One VM's turn, on whichever thread: a running VM advances, a canceled one is cleaned up
    (which may power its source on again: minutes). Only while this engine holds its lease."""
    from plans.engine.cleanup import undo_vm

    record = MigrationVM.objects.filter(pk=pk, owner=holder).select_related(
        "migration__plan__source_provider", "migration__plan__destination_provider").first()
    if record is None:
        return False  # its lease went to another engine
    if taken_from is not None:
        log(record, f"engine {holder} took it over from {taken_from}, whose lease ran out" if taken_from
            else f"engine {holder} has it")
    if record.status == RunStatus.RUNNING:
        runner.advance(record, settings, holder)
    elif record.status == RunStatus.CANCELED and not record.memo.get("cleaned"):
        try:
            undo_vm(record, settings, holder)
        except Exception:  # noqa: BLE001 - tried again next round
            logger.warning("cleanup of canceled %s failed", record, exc_info=True)
    live.changed(record.migration.plan_id)
    return True


class Workers:
    """VMs moved on their own threads: a slow call to a source (an export to Glance, a power-off
    that takes minutes, a cleanup powering a source on) holds up its own VM only, never the
    rounds. A VM is on one thread at a time."""

    def __init__(self, size: int):
        self.size = size
        self.pool = ThreadPoolExecutor(max_workers=size, thread_name_prefix="vm")
        self.lock = threading.Lock()
        self.busy: set[int] = set()

    def submit(self, pk: int, settings: ControllerSettings, holder: str = lease.HOLDER,
               taken_from: str | None = None) -> bool:
        with self.lock:
            if pk in self.busy:
                return False
            self.busy.add(pk)
        self.pool.submit(self._work, pk, settings, holder, taken_from)
        return True

    def _work(self, pk: int, settings: ControllerSettings, holder: str, taken_from: str | None) -> None:
        try:
            work(pk, settings, holder, taken_from)
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


def tick(workers: Workers | None = None, holder: str = lease.HOLDER, most: int = 0) -> int:
    """One round over every active migration; returns how many VMs were moved on (or handed to
    `workers`, which move them in the background). Only database work happens here: the rounds
    never wait for a source or the cluster. The controller settings are read once per round:
    every VM moved on in it sees the same. `most`: VMs this engine holds at once (0: any)."""
    settings = ControllerSettings.current()
    lease.keep(holder)
    migrations = list(Migration.objects.filter(status__in=ACTIVE).select_related("plan"))
    for migration in migrations:
        if migration.status == RunStatus.PENDING:
            Migration.objects.filter(pk=migration.pk, status=RunStatus.PENDING).update(status=RunStatus.RUNNING,
                                                                                       started=timezone.now())
        cancel_requested(migration)
        admit(migration, settings.max_vm_inflight, settings.max_vm_per_host)
    moved = 0
    claim = workers.size if workers else 0  # a few new VMs per round, so several engines share them
    for pk, taken_from in lease.take(holder, [m.pk for m in migrations], most=most, claim=claim):
        if workers:
            moved += workers.submit(pk, settings, holder, taken_from)
        else:
            moved += work(pk, settings, holder, taken_from)
    for migration in migrations:
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

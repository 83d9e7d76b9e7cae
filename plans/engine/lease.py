"""Which engine works on which VM: a lease on the VM's record (`owner`, `heartbeat`), taken with
one conditional UPDATE and renewed by its engine, instead of a row lock — nothing holds a
transaction or a lock while a VM advances, however long a source or the cluster takes. A VM
whose lease is older than MTVWEB_ENGINE_LEASE seconds (its engine died) is free again, and the
engine that takes it continues where the record says it stopped.

The engine writes only the fields it owns (`save`): a cancel, which sets the status, always
wins. On SQLite one engine runs at a time (`sole_engine`); on Postgres several share the VMs.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import secrets
import socket
import time
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.db.models import Q
from django.utils import timezone

from plans.models import MigrationVM, RunStatus

# This process's name on the leases it holds (hostname/pid/random: a restarted engine is another).
HOLDER = f"{socket.gethostname()}/{os.getpid()}/{secrets.token_hex(3)}"
# What an engine works on: running VMs, and canceled ones whose cleanup is not done.
TO_WORK = Q(status=RunStatus.RUNNING) | (Q(status=RunStatus.CANCELED) & ~Q(memo__has_key="cleaned"))
ENGINE_FIELDS = ("phase", "error", "started", "steps", "disks", "memo", "log", "heartbeat")
_renewed: dict[str, float] = {}


def seconds() -> float:
    return settings.MTVWEB_ENGINE_LEASE


def _free(now) -> Q:
    return Q(owner="") | Q(heartbeat__isnull=True) | Q(heartbeat__lt=now - timedelta(seconds=seconds()))


def take(holder: str, migration_ids, most: int = 0, claim: int = 0) -> list[tuple[int, str | None]]:
    """The VMs of these migrations this engine works on this round, as (pk, taken from): those it
    holds (None) and the free ones it claims now ("" when nobody had it, else the engine whose
    lease ran out). `most`: VMs held at once; `claim`: new ones per round (0: no limit)."""
    now = timezone.now()
    stale = now - timedelta(seconds=seconds())
    rows = list(MigrationVM.objects.filter(TO_WORK, migration_id__in=list(migration_ids)).order_by("pk")
                .values_list("pk", "owner", "heartbeat"))
    chosen: list[tuple[int, str | None]] = [(pk, None) for pk, owner, _ in rows if owner == holder]
    held = len(chosen)
    for pk, owner, beat in rows:
        if owner == holder or (owner and beat is not None and beat >= stale):
            continue
        if (most and held >= most) or (claim and len(chosen) - held >= claim):
            break
        if MigrationVM.objects.filter(_free(now), pk=pk, owner=owner).update(owner=holder, heartbeat=now):
            chosen.append((pk, owner))
    return chosen


def keep(holder: str) -> None:
    """Renew this engine's leases, a few times per lease."""
    if time.monotonic() - _renewed.get(holder, 0) >= seconds() / 4:
        MigrationVM.objects.filter(owner=holder).update(heartbeat=timezone.now())
        _renewed[holder] = time.monotonic()


def release_all(holder: str) -> None:
    """An engine that stops lets its VMs go at once rather than after the lease."""
    MigrationVM.objects.filter(owner=holder).update(owner="")


def save(record: MigrationVM, holder: str, ended: bool = False) -> bool:
    """Write the engine's fields of the record — and, `ended`, its final status, which also ends
    the lease — while this engine holds it. A status is only ever changed from Running: a VM
    canceled meanwhile stays Canceled, keeping what its steps did for the cleanup. True while the
    VM is still this engine's to move on."""
    record.heartbeat = timezone.now()
    values = {field: getattr(record, field) for field in ENGINE_FIELDS}
    mine = MigrationVM.objects.filter(pk=record.pk, owner=holder)
    final = {"status": record.status, "completed": record.completed, "owner": ""} if ended else {}
    if mine.filter(status=RunStatus.RUNNING).update(**values, **final):
        return True
    mine.update(**values)
    return False


def cleaned(record: MigrationVM, holder: str) -> None:
    """A canceled VM's cleanup is done: recorded, and the lease ends."""
    record.memo["cleaned"] = True
    MigrationVM.objects.filter(pk=record.pk, owner=holder).update(memo=record.memo, log=record.log, owner="")


@contextlib.contextmanager
def sole_engine(stop, say):
    """On SQLite, wait until no other engine runs on the database, and hold that while the block
    runs: a lock on a file beside the database, which the kernel lets go when its process ends,
    however it ends. SQLite takes one writer at a time; two engines would only fight over it."""
    if connection.vendor != "sqlite":
        yield
        return
    path = Path(f"{connection.settings_dict['NAME']}.engine-lock")
    with open(path, "a") as lock:
        waited = False
        while not stop.is_set():
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if not waited:
                    say(f"another engine runs on {connection.settings_dict['NAME']}: waiting until it stops")
                    waited = True
                stop.wait(1)
        yield

"""The latest migration of a plan as the console shows it: totals, and per VM its steps with
their elapsed time and each disk's bytes, throughput and time left."""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from django.utils import timezone

from plans.models import Migration, RunStatus

LOG_TAIL = 12


def _elapsed(step: dict) -> float | None:
    if not step.get("started"):
        return None
    start = datetime.fromisoformat(step["started"])
    end = datetime.fromisoformat(step["completed"]) if step.get("completed") else timezone.now()
    return max((end - start).total_seconds(), 0)


def _disk(disk: dict) -> dict:
    total = disk.get("capacity") or 0
    done = min(disk.get("bytesDone", 0), total) if total else 0
    throughput = disk.get("throughput") or 0
    left = (total - done) / throughput if throughput and done < total else None
    return {**disk, "percent": int(done * 100 / total) if total else 0, "done": done, "total": total,
            "throughput": throughput, "seconds_left": left}


def vm_rows(migration: Migration) -> list[dict]:
    rows = []
    for record in migration.vms.all():
        steps = [{**s, "elapsed": _elapsed(s)} for s in record.steps]
        failed_step = next((s for s in steps if s["state"] == "Failed"), None)
        rows.append({"record": record, "steps": steps, "disks": [_disk(d) for d in record.disks],
                     "failed_step": failed_step,
                     "log_tail": "\n".join(record.log.splitlines()[-LOG_TAIL:]) if record.status == RunStatus.FAILED
                     else ""})
    return rows


def summary(migration: Migration) -> dict:
    counts = Counter(migration.vms.values_list("status", flat=True))
    succeeded, failed = counts[RunStatus.SUCCEEDED], counts[RunStatus.FAILED]
    label = migration.status
    if migration.status == RunStatus.FAILED and succeeded:
        label = f"{failed} of {succeeded + failed + counts[RunStatus.CANCELED]} VMs failed"
    return {"migration": migration, "label": label, "succeeded": succeeded, "failed": failed,
            "running": counts[RunStatus.RUNNING], "waiting": counts[RunStatus.PENDING],
            "canceled": counts[RunStatus.CANCELED], "total": sum(counts.values())}

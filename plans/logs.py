"""Log archives of a plan or one of its VMs (guide §4.8 "Get logs", laid out like the
must-gather tree of §9.4.1), prepared by a worker and then downloaded.

    must-gather/
      plans/<plan>.yaml                         the Plan, its maps and hooks (Forklift manifests)
      migrations/<n>/<vm>.yaml                  our per-VM records: steps, disks, hashes, errors
      migrations/<n>/<vm>.engine.log            the engine's log lines for the VM
      namespaces/<ns>/crs/<kind>/<name>.yaml    VirtualMachines, claims, Jobs, Pods of the plan
      namespaces/<ns>/pods/<pod>/<container>/current.log
      namespaces/<ns>/events.yaml               Events of those objects

Secrets are never read: no Secret object, and Pod specs only name the Secrets they use.
`state(plan)` says whether an archive is being prepared or ready; archives older than the
must-gather cleanup setting are removed when the next one is asked for.
"""

from __future__ import annotations

import io
import json
import logging
import shutil
import tarfile
import time
from pathlib import Path

import yaml
from django.conf import settings
from django.utils import timezone
from kubernetes import client

from plans import live, manifests
from plans.engine import objects
from plans.models import MigrationVM, Plan
from plans.settings import ControllerSettings
from providers.kube import KUBEVIRT, cluster_api

logger = logging.getLogger("mtvweb.logs")


def directory(plan: Plan) -> Path:
    path = Path(settings.DATA_DIR) / "logs" / f"plan-{plan.pk}"
    path.mkdir(parents=True, exist_ok=True)
    return path


def forget(sender, instance: Plan, **kwargs) -> None:
    """A deleted plan's archives go with it (a later plan could otherwise inherit its state)."""
    shutil.rmtree(Path(settings.DATA_DIR) / "logs" / f"plan-{instance.pk}", ignore_errors=True)


def state(plan: Plan) -> dict:
    """{"state": "none" | "preparing" | "ready" | "failed", "file": name, "vm": vm id or "", "error": …}"""
    path = directory(plan) / "state.json"
    return json.loads(path.read_text()) if path.exists() else {"state": "none"}


def _set_state(plan: Plan, **values) -> None:
    path = directory(plan) / "state.json"
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(values))
    tmp.replace(path)


def request(plan: Plan, vm_id: str = "") -> None:
    """Queue the archive's preparation (django-q worker)."""
    from django_q.tasks import async_task

    remove_old()
    _set_state(plan, state="preparing", vm=vm_id, asked=time.time())
    async_task("plans.logs.build", plan.pk, vm_id)


def remove_old() -> None:
    hours = ControllerSettings.current().must_gather_cleanup_hours
    if not hours:
        return
    cutoff = time.time() - hours * 3600
    for archive in (Path(settings.DATA_DIR) / "logs").glob("plan-*/*.tar.gz"):
        if archive.stat().st_mtime < cutoff:
            archive.unlink(missing_ok=True)


class Archive:
    def __init__(self, fileobj):
        self.tar = tarfile.open(fileobj=fileobj, mode="w:gz")

    def add(self, name: str, text: str) -> None:
        data = text.encode()
        info = tarfile.TarInfo(f"must-gather/{name}")
        info.size, info.mtime = len(data), int(time.time())
        self.tar.addfile(info, io.BytesIO(data))

    def close(self):
        self.tar.close()


def _records(plan: Plan, vm_id: str) -> list[MigrationVM]:
    records = MigrationVM.objects.filter(migration__plan=plan).select_related("migration")
    return list(records.filter(vm_id=vm_id) if vm_id else records)


def _cluster(archive: Archive, plan: Plan, vm_id: str) -> None:
    api = cluster_api(plan.destination_provider)
    core, custom = client.CoreV1Api(api), client.CustomObjectsApi(api)
    ns = plan.target_namespace
    selector = f"{objects.PLAN_LABEL}={plan.pk}" + (f",{objects.VM_LABEL}={objects.safe_label(vm_id)}" if vm_id else "")
    names = set()
    for vm in custom.list_namespaced_custom_object(*KUBEVIRT, ns, "virtualmachines",
                                                   label_selector=selector)["items"]:
        archive.add(f"namespaces/{ns}/crs/virtualmachine/{vm['metadata']['name']}.yaml", yaml.safe_dump(vm))
        names.add(vm["metadata"]["name"])
    for claim in core.list_namespaced_persistent_volume_claim(ns, label_selector=selector).items:
        archive.add(f"namespaces/{ns}/crs/persistentvolumeclaim/{claim.metadata.name}.yaml",
                    yaml.safe_dump(api.sanitize_for_serialization(claim)))
        names.add(claim.metadata.name)
    for job in client.BatchV1Api(api).list_namespaced_job(ns, label_selector=selector).items:
        archive.add(f"namespaces/{ns}/crs/job/{job.metadata.name}.yaml",
                    yaml.safe_dump(api.sanitize_for_serialization(job)))
        names.add(job.metadata.name)
    for pod in core.list_namespaced_pod(ns, label_selector=selector).items:
        name = pod.metadata.name
        names.add(name)
        archive.add(f"namespaces/{ns}/crs/pod/{name}.yaml", yaml.safe_dump(api.sanitize_for_serialization(pod)))
        for container in pod.spec.containers:
            try:
                text = core.read_namespaced_pod_log(name, ns, container=container.name)
            except client.ApiException as exc:
                text = f"(no log: {exc.reason})\n"
            archive.add(f"namespaces/{ns}/pods/{name}/{container.name}/current.log", text)
    events = [api.sanitize_for_serialization(e) for e in core.list_namespaced_event(ns).items
              if e.involved_object.name in names]
    archive.add(f"namespaces/{ns}/events.yaml", yaml.safe_dump(events))


def build(plan_pk: int, vm_id: str = "") -> str:
    """The worker's part: write the archive and mark it ready (or failed, with why)."""
    plan = Plan.objects.get(pk=plan_pk)
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    name = f"{plan.name}{'-' + objects.safe_label(vm_id) if vm_id else ''}-logs-{stamp}.tar.gz"
    path = directory(plan) / name
    try:
        with open(path, "wb") as f:
            archive = Archive(f)
            archive.add(f"plans/{plan.name}.yaml", manifests.plan_yaml(plan))
            for record in _records(plan, vm_id):
                base = f"migrations/{record.migration_id}/{record.name}"
                archive.add(f"{base}.yaml", yaml.safe_dump({
                    "vm": record.vm_id, "name": record.name, "status": record.status, "phase": record.phase,
                    "error": record.error, "steps": record.steps, "disks": record.disks,
                    "started": str(record.started or ""), "completed": str(record.completed or "")}))
                archive.add(f"{base}.engine.log", record.log)
                for disk in record.disks:
                    if disk.get("log"):
                        archive.add(f"{base}.disk-{disk['id']}.transfer.log", disk["log"])
            try:
                _cluster(archive, plan, vm_id)
            except Exception as exc:  # noqa: BLE001 - the records are worth having without the cluster's part
                archive.add("cluster-unreachable.txt", f"The target cluster could not be read: {exc}\n")
            archive.close()
    except Exception as exc:
        logger.exception("log archive of plan %s failed", plan.name)
        _set_state(plan, state="failed", vm=vm_id, error=str(exc))
        raise
    _set_state(plan, state="ready", vm=vm_id, file=name)
    live.changed(plan.pk)
    return str(path)

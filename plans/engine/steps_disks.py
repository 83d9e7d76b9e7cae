"""Allocate a claim per disk, then copy each disk in its own transfer Pod, following the
Pods' progress annotations. A disk whose Pod finished is never copied again."""

from __future__ import annotations

import json
import time
from dataclasses import replace

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from kubernetes.client.rest import ApiException

from plans.engine import kube, objects, transfer_rights
from plans.engine.context import StepFailed, VMContext
from plans.engine.steps_setup import pod_output, reader_secret_data
from providers.kube import server_message

NO_SPACE = ("No space left on device", "ENOSPC")
READER_SECRET_REFRESH = 900  # seconds; Keystone tokens live an hour by default


def storage_targets(ctx: VMContext) -> dict[str, dict]:
    storage_map = ctx.plan.storage_map
    pairs = storage_map.pairs.all() if storage_map else []
    return {p.source_id: {"storageClass": p.storage_class, "accessMode": p.access_mode, "volumeMode": p.volume_mode}
            for p in pairs}


def allocate(ctx: VMContext) -> bool:
    targets = storage_targets(ctx)
    records = []
    for index, disk in enumerate(ctx.source.disks):
        target = targets.get(disk.storage)
        if target is None:
            raise StepFailed(f"Disk {index + 1}'s storage {disk.storage} is not in the storage map: add it, then "
                             "restart the migration.")
        claim = f"{ctx.target_name}-disk-{index}"[:253]
        manifest = objects.disk_claim(claim, disk, target, ctx.labels, ctx.settings)
        try:
            kube.create(ctx.api, ctx.namespace, manifest)
        except ApiException as exc:
            raise StepFailed(f"The target cluster refused the claim for disk {index + 1}: {server_message(exc)}.") \
                from None
        records.append({"id": disk.id, "capacity": disk.capacity, "claim": claim,
                        "request": int(manifest["spec"]["resources"]["requests"]["storage"]),
                        "storageClass": target["storageClass"], "volumeMode": manifest["spec"]["volumeMode"],
                        "pod": f"{claim}-copy"[:253], "state": "Pending", "bytesDone": 0})
    previous = {d["id"]: d for d in ctx.record.disks}
    ctx.record.disks = [{**r, **{k: v for k, v in previous.get(r["id"], {}).items() if k in ("state", "bytesDone",
                                                                                          "blake3", "bytesWritten")}}
                        for r in records]
    ctx.log("claims: " + ", ".join(f"{d['claim']} ({filesizeformat(d['request'])}, {d['storageClass']})"
                                   for d in ctx.record.disks))
    return True


def _claim_problem(ctx: VMContext, disk: dict, index: int) -> str:
    claim = kube.read(ctx.core.read_namespaced_persistent_volume_claim, disk["claim"], ctx.namespace)
    if claim is None or claim.status.phase != "Pending":
        return ""
    failed = [e for e in kube.events_for(ctx.core, ctx.namespace, "PersistentVolumeClaim", disk["claim"])
              if e.reason == "ProvisioningFailed"]
    if not failed:
        return ""
    return (f"Storage class {disk['storageClass']} cannot provide the {filesizeformat(disk['request'])} claim for "
            f"disk {index + 1} ({failed[-1].message}). Raise the class's capacity or free space in it, or map this "
            "storage to another class in the storage map; then restart the migration.")


def _follow(ctx: VMContext, disk: dict, pod) -> None:
    raw = (pod.metadata.annotations or {}).get(objects.PROGRESS_ANNOTATION)
    if not raw:
        return
    try:
        progress = json.loads(raw)
    except ValueError:
        return
    done, updated = int(progress.get("bytesDone", 0)), float(progress.get("updated", time.time()))
    if disk.get("updated") and updated > disk["updated"] and done >= disk.get("bytesDone", 0):
        disk["throughput"] = (done - disk["bytesDone"]) / (updated - disk["updated"])
    disk.update(bytesDone=done, updated=updated, state="Copying")


def _finished(ctx: VMContext, disk: dict, pod, index: int) -> None:
    status = (pod.status.container_statuses or [None])[0]
    message = status.state.terminated.message if status and status.state.terminated else ""
    try:
        result = json.loads(message.strip().splitlines()[-1])
    except (ValueError, IndexError, AttributeError):
        raise StepFailed(f"The copy of disk {index + 1} ended without a result.",
                         log=pod_output(ctx, f"mtvweb.io/role=transfer,{objects.VM_LABEL}={ctx.labels[objects.VM_LABEL]}")) \
            from None
    disk.update(state="Copied", bytesDone=disk["capacity"], blake3=result.get("blake3", ""),
                bytesWritten=result.get("bytesWritten", 0), seconds=result.get("seconds"))
    try:  # kept with the record, for log archives made after the Pod is gone
        disk["log"] = ctx.core.read_namespaced_pod_log(disk["pod"], ctx.namespace, tail_lines=200)
    except ApiException:
        pass
    ctx.log(f"disk {index + 1} copied: {filesizeformat(disk['capacity'])}, {filesizeformat(disk['bytesWritten'])} "
            f"written, blake3 {disk['blake3'][:16]}…")


def _failure(ctx: VMContext, disk: dict, pod, index: int) -> str:
    """Why the copy has failed for good: the Pod failed, or its container failed again after the
    restarts allowed (each restart resumes where the last one stopped)."""
    status = (pod.status.container_statuses or [None])[0]
    terminated = status and (status.state.terminated or status.last_state.terminated)
    gave_up = bool(terminated and terminated.exit_code and status.restart_count >= settings.MTVWEB_TRANSFER_RESTARTS)
    if pod.status.phase != "Failed" and not gave_up:
        return ""
    reason = (terminated.message or "").strip() if terminated else ""
    if any(marker in reason for marker in NO_SPACE):
        return (f"The claim for disk {index + 1} ran out of space: raise the filesystem overhead setting (now "
                f"{ctx.settings.filesystem_overhead_percent}%) so claims leave room for the filesystem, then restart "
                "the migration.")
    return f"Copying disk {index + 1} failed: {reason.removeprefix('error: ') or pod.status.phase}"


def refresh_reader_secret(ctx: VMContext) -> None:
    data = reader_secret_data(ctx)
    if data:
        ctx.core.patch_namespaced_secret(ctx.memo["secret"], ctx.namespace, {"data": data})
    ctx.memo["secret_refreshed"] = time.time()


def keep_reader_secret_fresh(ctx: VMContext) -> None:
    """Tokens in the reader Secret (OpenStack's Keystone token, a KubeVirt reader's) expire; a
    transfer container that restarts reads the Secret again, so it must hold a fresh one."""
    if time.time() - ctx.memo.get("secret_refreshed", time.time()) >= READER_SECRET_REFRESH:
        refresh_reader_secret(ctx)


def copy(ctx: VMContext) -> bool:
    ns = ctx.namespace
    if ctx.memo.get("secret"):
        keep_reader_secret_fresh(ctx)
    for index, (disk, source) in enumerate(zip(ctx.record.disks, ctx.source.disks, strict=True)):
        if disk["state"] == "Copied":
            continue
        pod = kube.read_ours(ctx.api, ns, "Pod", disk["pod"], ctx.labels)
        if pod is None:
            if problem := _claim_problem(ctx, disk, index):
                raise StepFailed(problem)
            if not ctx.memo.get("prepared"):  # e.g. oVirt opens image transfers; ctx.source is rebuilt each call
                ctx.memo["preparing"] = True  # a failure, a cancel or a crash half-way still releases what was made
                if not ctx.save():
                    return False  # canceled meanwhile
                ctx.memo["reader_args"] = ctx.ops.prepare_disks(ctx.vm, ctx.source) or {}
                ctx.memo["prepared"] = True
            transfer_rights.grant(ctx)  # after the preparation: a token taken before it may have expired
            if source.id in ctx.memo.get("reader_args", {}):
                source = replace(source, reader_args=ctx.memo["reader_args"][source.id])
            manifest = objects.transfer_pod(disk["pod"], disk["claim"], disk["volumeMode"], source, ctx.memo["secret"],
                                            ctx.labels, ctx.plan.transfer_network,
                                            account=ctx.memo["transfer_account"])
            try:
                kube.create(ctx.api, ns, manifest)
            except ApiException as exc:  # e.g. the namespace's Pod Security level, a quota
                raise StepFailed(f"The target cluster refused the transfer Pod for disk {index + 1}: "
                                 f"{server_message(exc)}.") from None
            ctx.log(f"disk {index + 1}: transfer Pod {disk['pod']} started")
            continue
        if (pod.metadata.labels or {}).get(objects.MIGRATION_LABEL) != str(ctx.migration.pk):
            # Left by an earlier run of the plan (a restart): a new Pod resumes from the checkpoint
            # the old one left in the volume.
            kube.delete(ctx.core.delete_namespaced_pod, disk["pod"], ns, grace_period_seconds=0)
            ctx.log(f"disk {index + 1}: removed transfer Pod {disk['pod']} of an earlier run")
            continue
        if pod.status.phase == "Succeeded":
            _finished(ctx, disk, pod, index)
            continue
        if failure := _failure(ctx, disk, pod, index):
            raise StepFailed(failure, log=ctx.core.read_namespaced_pod_log(disk["pod"], ns, tail_lines=20))
        if pod.status.phase == "Pending" and (problem := _claim_problem(ctx, disk, index)):
            raise StepFailed(problem)
        _follow(ctx, disk, pod)
    if not all(d["state"] == "Copied" for d in ctx.record.disks):
        return False
    ctx.ops.release_disks(ctx.vm)
    transfer_rights.revoke(ctx)
    return True

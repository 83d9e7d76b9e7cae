"""After the copy: convert the guest where the source needs it, create the VirtualMachine,
restore the power state, and tidy up."""

from __future__ import annotations

import json

from kubernetes.client.rest import ApiException

from plans import conversion
from plans.engine import kube, objects, transfer_rights
from plans.engine.context import StepFailed, VMContext
from providers.kube import KUBEVIRT, server_message


def needs_conversion(ctx: VMContext) -> bool:
    return ctx.adapter.needs_conversion


def conversion_declined(ctx: VMContext) -> str:
    return conversion.SKIPPED_LOG if ctx.plan.skip_guest_conversion else ""


def convert(ctx: VMContext) -> bool:
    name, ns = f"{ctx.target_name}-convert-{ctx.migration.pk}"[:253], ctx.namespace
    pod = kube.read_ours(ctx.api, ns, "Pod", name, ctx.labels)
    if pod is None:
        claims = [(d["claim"], d["volumeMode"]) for d in ctx.record.disks]
        manifest = objects.conversion_pod(name, ctx.source, claims, ctx.labels, kvm=ctx.settings.conversion_kvm,
                                          account=name)
        try:
            kube.create(ctx.api, ns, objects.service_account(name, ctx.labels, token=False))  # no rights, no token
            kube.create(ctx.api, ns, manifest)
        except ApiException as exc:
            raise StepFailed(f"The target cluster refused the conversion Pod: {server_message(exc)}.") from None
        ctx.log(f"conversion Pod {name} started (virt-v2v-in-place)")
        return False
    if pod.status.phase == "Succeeded":
        report = conversion_report(pod)
        ctx.log(f"guest converted by virt-v2v-in-place in {report.get('seconds', '?')} s "
                f"({str(report.get('accelerator', '?')).upper()})")
        for line in report.get("changes", []):
            ctx.log(f"virt-v2v: {line}")
        kube.delete(ctx.core.delete_namespaced_pod, name, ns)
        kube.delete(ctx.core.delete_namespaced_service_account, name, ns)
        return True
    if pod.status.phase == "Failed":
        report = conversion_report(pod)
        reason = report.get("reason") or "it gave no reason"
        raise StepFailed(f"virt-v2v could not convert the guest: {reason.rstrip('.')}. If the disks hold no "
                         "guest or one that needs no conversion, set the plan to skip guest conversion; otherwise "
                         f"see the log of Pod {ns}/{name}, then restart.",
                         log=ctx.core.read_namespaced_pod_log(name, ns, tail_lines=15))
    return False


def conversion_report(pod) -> dict:
    """What mtvweb.pods.convert left in its termination message (JSON); {"reason": …} from the
    log's last lines when it left none (it did not get as far)."""
    statuses = pod.status.container_statuses or []
    terminated = statuses[0].state.terminated if statuses and statuses[0].state else None
    message = (terminated.message or "").strip() if terminated else ""
    try:
        report = json.loads(message)
    except ValueError:
        return {"reason": message.splitlines()[-1] if message else ""}
    return report if isinstance(report, dict) else {}


def networks(ctx: VMContext) -> list[tuple[object, dict]]:
    """(NIC, its target network) for every NIC whose network is mapped to something other than
    "ignored"; a NIC on an unmapped network stops the VM."""
    pairs = {p.source_id: p for p in ctx.plan.network_map.pairs.all()} if ctx.plan.network_map else {}
    chosen = []
    for index, nic in enumerate(ctx.source.nics):
        pair = pairs.get(nic.network)
        if pair is None:
            raise StepFailed(f"NIC {index + 1} ({nic.mac}) is on network {nic.network}, which the network map does "
                             "not map: add it, then restart the migration.")
        if pair.destination_type == "ignored":
            continue
        chosen.append((nic, {"type": pair.destination_type, "name": pair.destination}))
    return chosen


def create(ctx: VMContext) -> bool:
    mapped = networks(ctx)
    source = ctx.source
    kept = type(source)(**{**source.__dict__, "nics": [nic for nic, _ in mapped]})
    manifest = objects.virtual_machine(ctx.target_name, kept, [d["claim"] for d in ctx.record.disks],
                                     [net for _, net in mapped], ctx.labels, running=False)
    try:
        kube.create(ctx.api, ctx.namespace, manifest)
    except ApiException as exc:
        raise StepFailed(f"The target cluster refused VirtualMachine {ctx.target_name}: {server_message(exc)}.") from None
    ctx.log(f"VirtualMachine {ctx.namespace}/{ctx.target_name} created")
    return True


def restore_power(ctx: VMContext) -> bool:
    if ctx.memo.get("powered_on"):
        ctx.custom.patch_namespaced_custom_object(*KUBEVIRT, ctx.namespace, "virtualmachines", ctx.target_name,
                                                  {"spec": {"runStrategy": "Always"}})
        ctx.log("target VirtualMachine started (the source was running)")
    return True


def complete(ctx: VMContext) -> bool:
    """The finished transfer Pods stay for the logs until the plan is archived; claims and the VM
    are the migration's result. (The source's credentials went when the copy ended.)"""
    transfer_rights.revoke(ctx)
    ctx.log("migrated: " + json.dumps({d["id"]: d.get("blake3", "") for d in ctx.record.disks}))
    return True

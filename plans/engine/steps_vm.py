"""After the copy: convert the guest where the source needs it, create the VirtualMachine,
restore the power state, and tidy up."""

from __future__ import annotations

import json

from django.conf import settings
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
        manifest = objects.conversion_pod(name, claims, ctx.labels, stand_in=settings.MTVWEB_CONVERSION == "stand-in",
                                          account=name)
        try:
            kube.create(ctx.api, ns, objects.service_account(name, ctx.labels, token=False))  # no rights, no token
            kube.create(ctx.api, ns, manifest)
        except ApiException as exc:
            raise StepFailed(f"The target cluster refused the conversion Pod: {server_message(exc)}.") from None
        ctx.log(f"conversion Pod {name} started")
        return False
    if pod.status.phase == "Succeeded":
        kube.delete(ctx.core.delete_namespaced_pod, name, ns)
        kube.delete(ctx.core.delete_namespaced_service_account, name, ns)
        return True
    if pod.status.phase == "Failed":
        raise StepFailed("Converting the guest failed: see the conversion log below; fix the guest or the "
                         "conversion image, then restart.",
                         log=ctx.core.read_namespaced_pod_log(name, ctx.namespace, tail_lines=30))
    return False


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

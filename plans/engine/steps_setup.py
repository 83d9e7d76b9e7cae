"""Initialize, hooks and the source's power: the steps before any byte moves."""

from __future__ import annotations

import base64

from django.conf import settings
from kubernetes.client.rest import ApiException

from plans import tenancy
from plans.engine import kube, objects
from plans.engine.context import StepFailed, VMContext
from plans.models import Hook, PlanVM, PlanVMHook
from plans.naming import kubernetes_name
from providers.kube import server_message
from providers.models import VirtualMachine

HOOK_LOG_LINES = 30


def _taken_names(ctx: VMContext) -> set[str]:
    prefix = f"/{ctx.namespace}/"
    paths = VirtualMachine.objects.filter(provider=ctx.plan.destination_provider, path__startswith=prefix)
    taken = {p[len(prefix):] for p in paths.values_list("path", flat=True)}
    others = ctx.migration.vms.exclude(pk=ctx.record.pk).values_list("memo", flat=True)
    return taken | {m.get("target_name") for m in others if m and m.get("target_name")}


def initialize(ctx: VMContext) -> bool:
    # Roles may have changed since the plan was started: whoever started it must still be allowed.
    if refused := tenancy.run_refusal(ctx.migration.started_by, ctx.plan, [ctx.record.vm_id]):
        raise StepFailed(f"Nothing was done in the cluster: {refused}")
    if "target_name" not in ctx.memo:
        chosen = PlanVM.objects.filter(plan=ctx.plan, vm_id=ctx.record.vm_id).values_list("target_name", flat=True)
        ctx.memo["target_name"] = (chosen.first() or "") or kubernetes_name(ctx.vm.name, _taken_names(ctx))
    name, ns = ctx.target_name, ctx.namespace
    try:
        kube.ensure_namespace(ctx.core, ns)
        kube.read_ours(ctx.api, ns, "VirtualMachine", name, ctx.labels)  # a VM of that name must be ours
    except ApiException as exc:
        raise StepFailed(f"The target cluster refused to prepare namespace {ns}: {server_message(exc)}.") from None
    ctx.log(f"target VirtualMachine {ns}/{name}; {len(ctx.source.disks)} disk(s), {len(ctx.source.nics)} NIC(s)")
    return True


def reader_secret_data(ctx: VMContext) -> dict[str, str]:
    """The transfer Pods' source credentials, as a Secret's base64 `data`."""
    return {k: base64.b64encode(v.encode()).decode() for k, v in ctx.ops.reader_secret().items()}


def has_hook(step: str):
    def applies(ctx: VMContext) -> bool:
        return PlanVMHook.objects.filter(plan_vm__plan=ctx.plan, plan_vm__vm_id=ctx.record.vm_id, step=step).exists()
    return applies


def run_hook(ctx: VMContext, step: str) -> bool:
    """The hook as a Job in the target namespace: the playbook (if any) in a Secret, mounted for
    the hook image to run. Done when the Job succeeds; its failure fails the VM with its output."""
    use = PlanVMHook.objects.select_related("hook").get(plan_vm__plan=ctx.plan, plan_vm__vm_id=ctx.record.vm_id,
                                                       step=step)
    hook, ns = use.hook, ctx.namespace
    name = f"{ctx.target_name}-{step.lower()}-{ctx.migration.pk}"[:63].rstrip("-")
    job = kube.read_ours(ctx.api, ns, "Job", name, ctx.labels)
    if job is None:
        kube.create(ctx.api, ns, hook_job(ctx, hook, name))
        ctx.log(f"{step} {hook.name} started as Job {name}")
        return False
    status = job.status
    if status.succeeded:
        return True
    if status.failed:
        raise StepFailed(f"{step} {hook.name} failed: fix the hook (its output is below and in the logs), then "
                         "restart the migration.", log=pod_output(ctx, f"job-name={name}"))
    return False


def hook_job(ctx: VMContext, hook, name: str) -> dict:
    """The Job running a hook. A playbook for the default hook-runner image runs in this project's
    image (`python -m mtvweb.pods.hook`, the same behaviour); a custom image runs as it is, with the
    playbook, the VM and the plan in /tmp/hook like hook-runner gets them."""
    import yaml

    from plans import manifests

    ns = ctx.namespace
    kube.create(ctx.api, ns, {
        "apiVersion": "v1", "kind": "Secret", "metadata": {"name": name, "labels": ctx.labels},
        "stringData": {"playbook.yml": hook.playbook,
                       "plan.yml": yaml.safe_dump({"plan": manifests.plan_manifest(ctx.plan)}),
                       "workload.yml": yaml.safe_dump({"vm": {"id": ctx.vm.uid, "name": ctx.vm.name,
                                                              **ctx.vm.data}})}})
    container = {"name": "hook", "image": hook.image,
                 "volumeMounts": [{"name": "hook", "mountPath": "/tmp/hook", "readOnly": True}],
                 "terminationMessagePolicy": "FallbackToLogsOnError"}
    pod = {"restartPolicy": "Never", "containers": [container],
           "volumes": [{"name": "hook", "secret": {"secretName": name}}]}
    if hook.playbook and hook.image == Hook.DEFAULT_IMAGE:
        container.update(image=settings.MTVWEB_IMAGE, securityContext=objects.CONTAINER_SECURITY, command=[
            "python", "-m", "mtvweb.pods.hook", "--playbook", "/tmp/hook/playbook.yml",
            "--workload", "/tmp/hook/workload.yml", "--plan", "/tmp/hook/plan.yml"])
        pod["securityContext"] = objects.POD_SECURITY  # our image; a custom one may need what we cannot know
    labels = {**ctx.labels, "mtvweb.io/role": "hook"}
    return {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": name, "labels": labels},
            "spec": {"backoffLimit": 0, "activeDeadlineSeconds": hook.deadline_seconds,
                     "template": {"metadata": {"labels": labels}, "spec": pod}}}


def pod_output(ctx: VMContext, selector: str, lines: int = HOOK_LOG_LINES) -> str:
    pods = ctx.core.list_namespaced_pod(ctx.namespace, label_selector=selector).items
    for pod in pods:
        try:
            return ctx.core.read_namespaced_pod_log(pod.metadata.name, ctx.namespace, tail_lines=lines)
        except ApiException:
            continue
    return ""


def pre_hook(ctx: VMContext) -> bool:
    return run_hook(ctx, "PreHook")


def post_hook(ctx: VMContext) -> bool:
    return run_hook(ctx, "PostHook")


def store_power_state(ctx: VMContext) -> bool:
    """Recorded once: run again (an engine that died before the step was saved), it must not
    read the state PowerOff left and take it for the source's own."""
    if "powered_on" not in ctx.memo:
        ctx.memo["powered_on"] = ctx.ops.is_powered_on(ctx.vm)
        ctx.log(f"source was {'on' if ctx.memo['powered_on'] else 'off'}")
    return True


def power_off(ctx: VMContext) -> bool:
    if ctx.memo.get("powered_on"):
        ctx.ops.power_off(ctx.vm)
        ctx.log("source powered off")
    return True

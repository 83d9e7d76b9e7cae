"""Remove what a migration created in the target cluster for one VM (a canceled VM), or for a
whole plan (archive): Pods, claims, Secrets, ConfigMaps, Jobs and VirtualMachines carrying
its labels. The source is left as it was: a VM that was running is powered on again."""

from __future__ import annotations

from kubernetes import client

from plans.engine import kube, lease, objects
from plans.engine.context import VMContext
from plans.models import MigrationVM
from plans.settings import ControllerSettings
from providers.kube import KUBEVIRT, cluster_api


def remove_labelled(api, namespace: str, selector: str, keep_vms: bool = False) -> int:
    core, batch = client.CoreV1Api(api), client.BatchV1Api(api)
    custom, rbac = client.CustomObjectsApi(api), client.RbacAuthorizationV1Api(api)
    removed = 0
    if not keep_vms:
        for vm in custom.list_namespaced_custom_object(*KUBEVIRT, namespace, "virtualmachines",
                                                       label_selector=selector)["items"]:
            kube.delete(custom.delete_namespaced_custom_object, *KUBEVIRT, namespace, "virtualmachines",
                        vm["metadata"]["name"])
            removed += 1
    for job in batch.list_namespaced_job(namespace, label_selector=selector).items:
        kube.delete(batch.delete_namespaced_job, job.metadata.name, namespace, propagation_policy="Background")
        removed += 1
    for lister, deleter in ((core.list_namespaced_pod, core.delete_namespaced_pod),
                            (core.list_namespaced_secret, core.delete_namespaced_secret),
                            (core.list_namespaced_config_map, core.delete_namespaced_config_map),
                            (core.list_namespaced_persistent_volume_claim,
                             core.delete_namespaced_persistent_volume_claim),
                            *access_kinds(core, rbac)):
        for item in lister(namespace, label_selector=selector).items:
            kube.delete(deleter, item.metadata.name, namespace)
            removed += 1
    return removed


def access_kinds(core, rbac) -> tuple:
    """The accounts and rights of transfer and conversion Pods: (lister, deleter)."""
    return ((rbac.list_namespaced_role_binding, rbac.delete_namespaced_role_binding),
            (rbac.list_namespaced_role, rbac.delete_namespaced_role),
            (core.list_namespaced_service_account, core.delete_namespaced_service_account))


def undo_vm(record: MigrationVM, settings: ControllerSettings, holder: str = lease.HOLDER) -> None:
    """What a canceled VM leaves: nothing in the target, the source powered as it was. Runs on a
    worker thread (powering a source on may take minutes), by the engine holding the VM."""
    if record.steps:  # it had started
        ctx = VMContext(record, settings, holder)
        selector = (f"{objects.MIGRATION_LABEL}={record.migration_id},"
                    f"{objects.VM_LABEL}={objects.safe_label(record.vm_id)}")
        if ctx.memo.get("preparing"):
            ctx.ops.release_disks(ctx.vm)
        removed = remove_labelled(ctx.api, ctx.namespace, selector)
        ctx.log(f"canceled: removed {removed} object(s) from namespace {ctx.namespace}")
        if ctx.memo.get("powered_on") and not ctx.ops.is_powered_on(ctx.vm):
            ctx.ops.power_on(ctx.vm)
            ctx.log("source powered on again, as it was")
    lease.cleaned(record, holder)


def clean_plan(plan) -> int:
    """Everything of the plan's migrations left in the target namespace, except the VMs that
    migrated successfully and their disks (archive, guide §4.9)."""
    api = cluster_api(plan.destination_provider)
    removed = 0
    succeeded = {vm.memo.get("target_name") for m in plan.migrations.all() for vm in m.vms.filter(status="Succeeded")}
    core = client.CoreV1Api(api)
    for role in ("transfer", "conversion", "hook"):
        removed += remove_labelled(api, plan.target_namespace, f"{objects.PLAN_LABEL}={plan.pk},mtvweb.io/role={role}",
                                   keep_vms=True)
    rbac = client.RbacAuthorizationV1Api(api)
    for lister, deleter in ((core.list_namespaced_secret, core.delete_namespaced_secret), *access_kinds(core, rbac)):
        for item in lister(plan.target_namespace, label_selector=f"{objects.PLAN_LABEL}={plan.pk}").items:
            kube.delete(deleter, item.metadata.name, plan.target_namespace)
            removed += 1
    for migration in plan.migrations.all():
        for record in migration.vms.exclude(status="Succeeded"):
            if record.memo.get("target_name") in succeeded:
                continue
            selector = f"{objects.MIGRATION_LABEL}={migration.pk},{objects.VM_LABEL}={objects.safe_label(record.vm_id)}"
            removed += remove_labelled(api, plan.target_namespace, selector)
    return removed

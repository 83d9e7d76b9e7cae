"""What a VM's transfer Pods may use, for as long as they copy and no longer: the source's
credentials in a Secret they read, and a ServiceAccount whose Role names only those Pods (they
annotate their own progress). Granted when the first transfer Pod is about to start; revoked once
every disk is copied and when the VM fails — and, by label, when it is canceled or its plan
archived."""

from __future__ import annotations

import time

from kubernetes import client

from plans.engine import kube, objects
from plans.engine.context import VMContext
from plans.engine.steps_setup import reader_secret_data


def grant(ctx: VMContext) -> None:
    if ctx.memo.get("secret"):
        return
    ns, labels, run = ctx.namespace, ctx.labels, f"{ctx.target_name}-{{}}-{ctx.migration.pk}"
    account, secret = run.format("transfer")[:253], run.format("source")[:253]
    pods = [disk["pod"] for disk in ctx.record.disks]
    for manifest in (objects.service_account(account, labels, token=True), objects.transfer_role(account, pods, labels),
                     objects.role_binding(account, ns, labels),
                     objects.secret(secret, reader_secret_data(ctx), labels)):
        kube.create(ctx.api, ns, manifest)
    ctx.memo.update(secret=secret, transfer_account=account, secret_refreshed=time.time())


def revoke(ctx: VMContext) -> None:
    secret, account = ctx.memo.get("secret"), ctx.memo.get("transfer_account")
    if not secret:
        return
    ns, rbac = ctx.namespace, client.RbacAuthorizationV1Api(ctx.api)
    kube.delete(ctx.core.delete_namespaced_secret, secret, ns)
    if account:
        kube.delete(rbac.delete_namespaced_role_binding, account, ns)
        kube.delete(rbac.delete_namespaced_role, account, ns)
        kube.delete(ctx.core.delete_namespaced_service_account, account, ns)
    ctx.memo.pop("secret")
    ctx.memo.pop("transfer_account", None)
    ctx.log("copies over: the source's credentials and the copying Pods' rights are removed")

"""What the migration puts in the target namespace may do no more than its job, for no longer
than it needs: the source's credentials reach the transfer Pods only while they copy and are gone
after the VM succeeds or fails; the transfer Pods' Role names their own Pods and nothing else;
the conversion Pod has an account without API rights and no token; every Pod passes the
`restricted` Pod Security level, which the lab's real API server enforces on the namespace.

(The lab's cluster simulator runs Pods as local processes and ignores their securityContext —
runAsNonRoot, capabilities, seccomp: that they are set, and right, is what the API server's
admission checks here. It honours automountServiceAccountToken: the Pod gets no token volume.)"""

import uuid

import pytest
from kubernetes import client

from mappings.models import StoragePair
from plans import actions
from plans.engine import objects, scheduler
from plans.models import RunStatus
from providers.adapters.source import DiskSource, SourceVM
from tests.engine.helpers import EngineThread, plan_objects, vsphere_plan, wait_until
from tests.plans.helpers import lab_source_and_target

pytestmark = [pytest.mark.lab, pytest.mark.django_db(transaction=True)]
VM = "mtv-rhel8-nocbt"
RESTRICTED = {"pod-security.kubernetes.io/enforce": "restricted", "pod-security.kubernetes.io/enforce-version": "latest"}


@pytest.fixture
def held(settings, kube_lab, vsphere_lab):
    """The lab's vCenter behind a relay that holds every disk's stream at 16 MiB, and the cluster."""
    from tests.providers.helpers import Relay

    source, host = lab_source_and_target(settings, kube_lab, vsphere_lab)
    relay = Relay(vsphere_lab["port"])
    source.url = f"https://127.0.0.1:{relay.port}/sdk"
    source.save()
    relay.hold_after(16 << 20)
    yield source, host, relay
    relay.cut()


def filesystem_plan(core, source, host, name, labels=None):
    """A plan whose disk goes to a Filesystem claim, into a new namespace with these labels."""
    plan = vsphere_plan(source, host, [VM], f"{name}-{uuid.uuid4().hex[:6]}", name=name)
    StoragePair.objects.filter(map=plan.storage_map).update(storage_class="ocs-storagecluster-cephfs",
                                                           volume_mode="Filesystem")
    core.create_namespace({"metadata": {"name": plan.target_namespace, "labels": labels or {}}})
    return plan


def may(api, namespace: str, account: str, verb: str, resource: str, name: str = "") -> bool:
    review = client.AuthorizationV1Api(api).create_subject_access_review({
        "spec": {"user": f"system:serviceaccount:{namespace}:{account}",
                 "groups": ["system:serviceaccounts", f"system:serviceaccounts:{namespace}", "system:authenticated"],
                 "resourceAttributes": {"namespace": namespace, "verb": verb, "resource": resource, "name": name}}})
    return review.status.allowed


def test_the_transfer_pods_hold_credentials_and_rights_only_while_they_copy(held, people, kube):
    core, custom = kube
    source, host, relay = held
    plan = filesystem_plan(core, source, host, "rights", labels=RESTRICTED)
    ns = plan.target_namespace
    migration = actions.start(people["admin"], plan)
    with EngineThread():
        record = wait_until(lambda: (r := migration.vms.get()).disks and r.disks[0].get("bytesDone", 0) > 0 and r,
                            120, "the disk copies")
        during = plan_objects(core, custom, plan)
        pod = core.read_namespaced_pod(record.disks[0]["pod"], ns)
        account = pod.spec.service_account_name
        role = client.RbacAuthorizationV1Api(core.api_client).read_namespaced_role(account, ns)
        rights = {"own pod": may(core.api_client, ns, account, "patch", "pods", pod.metadata.name),
                  "another pod": may(core.api_client, ns, account, "patch", "pods", "their-app"),
                  "all pods": may(core.api_client, ns, account, "list", "pods"),
                  "secrets": may(core.api_client, ns, account, "get", "secrets", record.memo["secret"])}
        relay.cut()  # the held stream breaks off, is tried again and goes on
        relay.restore()
        wait_until(lambda: migration.vms.get().status != RunStatus.RUNNING, 180, "the VM ends")
    record = migration.vms.get()
    assert record.status == RunStatus.SUCCEEDED, record.log  # every Pod passed the restricted level
    assert f"{VM}-source-{migration.pk}" in during["secrets"] and account in during["accounts"]
    assert rights == {"own pod": True, "another pod": False, "all pods": False, "secrets": False}
    assert role.rules[0].resource_names == [d["pod"] for d in record.disks]
    assert pod.spec.security_context.run_as_non_root and pod.spec.security_context.seccomp_profile.type == \
        "RuntimeDefault"
    container = pod.spec.containers[0].security_context
    assert container.allow_privilege_escalation is False and container.capabilities.drop == ["ALL"]
    after = plan_objects(core, custom, plan)
    assert after["secrets"] == [] and after["accounts"] == [] and after["roles"] == [], after
    assert not client.RbacAuthorizationV1Api(core.api_client).list_namespaced_role_binding(
        ns, label_selector=f"{objects.PLAN_LABEL}={plan.pk}").items


def test_a_failed_vm_leaves_no_credentials_behind(held, people, kube, settings):
    core, custom = kube
    source, host, relay = held
    settings.MTVWEB_TRANSFER_RESTARTS, settings.MTVWEB_TRANSFER_RETRY_WAIT = 0, 1
    plan = filesystem_plan(core, source, host, "lost")
    migration = actions.start(people["admin"], plan)
    wait_until(lambda: scheduler.tick() is not None and (r := migration.vms.get()).disks
               and r.disks[0].get("bytesDone", 0) > 0, 120, "the disk copies")
    relay.cut()  # for good: the copy fails
    migration = scheduler.run(migration, timeout=120)
    record = migration.vms.get()
    assert migration.status == RunStatus.FAILED and record.phase == "CopyDisks", record.log
    left = plan_objects(core, custom, plan)
    assert left["secrets"] == [] and left["accounts"] == [] and left["roles"] == [], left
    assert left["pods"] == [record.disks[0]["pod"]]  # the failed Pod stays, for its log


def test_the_conversion_pod_has_no_token_and_its_account_no_rights(kube):
    core, _ = kube
    vm = SourceVM(id="vm-1", name="vm", sockets=1, cores=1, memory_mib=1024, firmware="bios",
                  disks=[DiskSource(id="0", capacity=1 << 20, storage="ds")], nics=[], powered_on=False)
    pod = objects.conversion_pod("vm-convert-1", vm, [("vm-disk-0", "Filesystem")], {}, account="vm-convert-1")
    account = objects.service_account("vm-convert-1", {}, token=False)
    assert pod["spec"]["automountServiceAccountToken"] is False and account["automountServiceAccountToken"] is False
    assert pod["spec"]["serviceAccountName"] == "vm-convert-1"
    assert pod["spec"]["securityContext"] == objects.POD_SECURITY
    assert pod["spec"]["containers"][0]["securityContext"] == objects.CONTAINER_SECURITY
    for verb, resource in (("get", "pods"), ("list", "secrets"), ("create", "pods")):
        assert not may(core.api_client, "mtv-user", "vm-convert-1", verb, resource)

"""The engine never writes over or adopts what it did not make: a claim, Pod, Secret or
VirtualMachine in the target namespace that has a name the migration needs but not the plan's
labels fails the VM with a message naming it and what to do, and is left exactly as it was."""

import base64
import uuid

import pytest

from plans import actions
from plans.engine import scheduler
from plans.models import RunStatus
from tests.engine.helpers import vsphere_plan
from tests.plans.helpers import lab_source_and_target

pytestmark = [pytest.mark.lab, pytest.mark.django_db(transaction=True)]
VM = "mtv-rhel8-nocbt"
THEIRS = {"owner": "alice"}  # a user's object: none of our labels


def user_object(kind: str, name: str, namespace: str) -> dict:
    meta = {"name": name, "labels": THEIRS}
    if kind == "PersistentVolumeClaim":
        return {"apiVersion": "v1", "kind": kind, "metadata": meta, "spec": {
            "accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Mi"}},
            "storageClassName": "ocs-storagecluster-cephfs", "volumeMode": "Filesystem"}}
    if kind == "Pod":  # an image the lab does not run: it waits, Pending, and is still a Pod of theirs
        return {"apiVersion": "v1", "kind": kind, "metadata": meta,
                "spec": {"containers": [{"name": "app", "image": "registry.example.com/their-app:1"}]}}
    if kind == "Secret":
        return {"apiVersion": "v1", "kind": kind, "metadata": meta,
                "data": {"password": base64.b64encode(b"theirs").decode()}}
    return {"apiVersion": "kubevirt.io/v1", "kind": kind, "metadata": meta,
            "spec": {"runStrategy": "Halted", "template": {"spec": {"domain": {"devices": {}}}}}}


def create(api, namespace: str, body: dict):
    from kubernetes import client

    core, custom = client.CoreV1Api(api), client.CustomObjectsApi(api)
    if body["kind"] == "VirtualMachine":
        custom.create_namespaced_custom_object("kubevirt.io", "v1", namespace, "virtualmachines", body)
        return custom.get_namespaced_custom_object("kubevirt.io", "v1", namespace, "virtualmachines",
                                                   body["metadata"]["name"])["metadata"]
    snake = {"PersistentVolumeClaim": "persistent_volume_claim", "Pod": "pod", "Secret": "secret"}[body["kind"]]
    getattr(core, f"create_namespaced_{snake}")(namespace, body)
    return getattr(core, f"read_namespaced_{snake}")(body["metadata"]["name"], namespace).metadata


def metadata_now(api, namespace: str, kind: str, name: str):
    from kubernetes import client

    if kind == "VirtualMachine":
        return client.CustomObjectsApi(api).get_namespaced_custom_object(
            "kubevirt.io", "v1", namespace, "virtualmachines", name)["metadata"]
    snake = {"PersistentVolumeClaim": "persistent_volume_claim", "Pod": "pod", "Secret": "secret"}[kind]
    return getattr(client.CoreV1Api(api), f"read_namespaced_{snake}")(name, namespace).metadata


def uid_and_labels(metadata) -> tuple:
    if isinstance(metadata, dict):
        return metadata["uid"], metadata.get("labels")
    return metadata.uid, metadata.labels


@pytest.mark.parametrize("kind,name,phase", [
    ("PersistentVolumeClaim", f"{VM}-disk-0", "AllocateDisks"),
    ("Pod", f"{VM}-disk-0-copy", "CopyDisks"),
    ("Secret", f"{VM}-source-{{migration}}", "CopyDisks"),
    ("VirtualMachine", VM, "Initialize"),
])
def test_an_object_of_ours_by_name_only_fails_the_vm_and_is_left_alone(settings, kube_lab, vsphere_lab, people,
                                                                        kube, kind, name, phase):
    core, _ = kube
    source, host = lab_source_and_target(settings, kube_lab, vsphere_lab)
    plan = vsphere_plan(source, host, [VM], f"theirs-{uuid.uuid4().hex[:6]}")
    core.create_namespace({"metadata": {"name": plan.target_namespace}})
    migration = actions.start(people["admin"], plan)
    name = name.format(migration=migration.pk)
    before = uid_and_labels(create(core.api_client, plan.target_namespace, user_object(kind, name,
                                                                                      plan.target_namespace)))
    migration = scheduler.run(migration, timeout=120)
    record = migration.vms.get()
    assert migration.status == RunStatus.FAILED and record.phase == phase, record.log
    assert record.error == (f"A {kind} named {name} already exists in namespace {plan.target_namespace} and was not "
                            f"made by this plan for this VM: rename or delete that {kind}, or give the VM another "
                            "target name in the plan; then restart the migration. It was left as it is.")
    assert uid_and_labels(metadata_now(core.api_client, plan.target_namespace, kind, name)) == before

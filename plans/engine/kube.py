"""Small helpers over the kubernetes client for idempotent steps, and the one rule about what
is ours: an object the engine makes carries the plan's and the VM's labels (objects.labels). A
step run again finds its own object and goes on; an object of the same name without them — a
user's claim, Secret, Pod or VirtualMachine — fails the VM with a message naming it, and is
never written over, adopted or deleted."""

from __future__ import annotations

from kubernetes import client
from kubernetes.client.rest import ApiException

from plans.engine import objects
from plans.engine.context import StepFailed
from providers.kube import KUBEVIRT

# kind → (API class, the snake_case name in its create_/read_namespaced_… methods)
TYPED = {"Pod": (client.CoreV1Api, "pod"), "PersistentVolumeClaim": (client.CoreV1Api, "persistent_volume_claim"),
         "Secret": (client.CoreV1Api, "secret"), "ServiceAccount": (client.CoreV1Api, "service_account"),
         "Role": (client.RbacAuthorizationV1Api, "role"),
         "RoleBinding": (client.RbacAuthorizationV1Api, "role_binding"), "Job": (client.BatchV1Api, "job")}
OWNING_LABELS = (objects.PLAN_LABEL, objects.VM_LABEL)


class NotOurs(StepFailed):
    def __init__(self, kind: str, name: str, namespace: str):
        super().__init__(f"A {kind} named {name} already exists in namespace {namespace} and was not made by this "
                         f"plan for this VM: rename or delete that {kind}, or give the VM another target name in the "
                         "plan; then restart the migration. It was left as it is.")


def labels_of(found) -> dict:
    metadata = found["metadata"] if isinstance(found, dict) else found.metadata
    labels = metadata.get("labels") if isinstance(metadata, dict) else metadata.labels
    return labels or {}


def is_ours(found, labels: dict) -> bool:
    """Made for the same plan and VM (by this migration or an earlier run of the plan)."""
    theirs = labels_of(found)
    return all(theirs.get(key) == labels.get(key) for key in OWNING_LABELS)


def _call(api, verb: str, kind: str, namespace: str, *args):
    if kind == "VirtualMachine":
        custom = client.CustomObjectsApi(api)
        method = custom.create_namespaced_custom_object if verb == "create" else custom.get_namespaced_custom_object
        return method(*KUBEVIRT, namespace, "virtualmachines", *args)
    api_class, snake = TYPED[kind]
    if verb == "create":
        return getattr(api_class(api), f"create_namespaced_{snake}")(namespace, *args)
    return getattr(api_class(api), f"read_namespaced_{snake}")(*args, namespace)


def create(api, namespace: str, manifest: dict) -> bool:
    """Create one of our objects; True if created now, False if it was there already (a step run
    again). NotOurs if what is there under its name is someone else's."""
    kind, name, labels = manifest["kind"], manifest["metadata"]["name"], manifest["metadata"]["labels"]
    try:
        _call(api, "create", kind, namespace, manifest)
        return True
    except ApiException as exc:
        if exc.status != 409:
            raise
    read_ours(api, namespace, kind, name, labels)  # None: gone meanwhile, the next round creates it
    return False


def read_ours(api, namespace: str, kind: str, name: str, labels: dict):
    """The object if it is ours, None when there is none; NotOurs when the name is taken."""
    found = read(_call, api, "read", kind, namespace, name)
    if found is not None and not is_ours(found, labels):
        raise NotOurs(kind, name, namespace)
    return found


def ensure_namespace(core, name: str) -> None:
    """The target namespace: used as it is when it exists (it is not ours to label)."""
    try:
        core.create_namespace({"metadata": {"name": name}})
    except ApiException as exc:
        if exc.status != 409:
            raise


def read(call, *args):
    """The object, or None when it does not exist."""
    try:
        return call(*args)
    except ApiException as exc:
        if exc.status == 404:
            return None
        raise


def delete(call, *args, **kwargs) -> None:
    try:
        call(*args, **kwargs)
    except ApiException as exc:
        if exc.status != 404:
            raise


def events_for(core, namespace: str, kind: str, name: str) -> list:
    found = core.list_namespaced_event(namespace, field_selector=f"involvedObject.kind={kind},"
                                                                 f"involvedObject.name={name}").items
    return sorted(found, key=lambda e: (e.last_timestamp or e.event_time or e.metadata.creation_timestamp))

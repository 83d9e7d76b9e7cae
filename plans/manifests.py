"""A plan as the Forklift `forklift.konveyor.io/v1beta1` manifests `oc apply -f` takes (guide §5.3):
its NetworkMap, StorageMap, Hooks and the Plan itself, with the guide's field names."""

from __future__ import annotations

import base64

import yaml

from mappings.kinds import kind_of
from plans.models import Hook, Plan
from providers.adapters import adapter_class
from providers.models import VirtualMachine

API_VERSION = "forklift.konveyor.io/v1beta1"


def ref(obj) -> dict:
    """An ObjectReference the way Forklift's specs write one."""
    return {"name": obj.name, "namespace": obj.namespace}


def split_path(path: str) -> tuple[str, str]:
    """("namespace", "name") of an OpenShift inventory path "/namespace/name"."""
    namespace, _, name = path.strip("/").partition("/")
    return namespace, name


def resource(kind: str, obj, spec: dict) -> dict:
    return {"apiVersion": API_VERSION, "kind": kind, "metadata": ref(obj), "spec": spec}


def providers(pair) -> dict:
    return {"source": ref(pair.source_provider), "destination": ref(pair.destination_provider)}


def map_manifest(network_or_storage_map) -> dict:
    """A NetworkMap or StorageMap, its entries as mappings.kinds writes them for manifests."""
    obj = network_or_storage_map
    spec = {"map": kind_of(obj).entries(obj, manifest=True), "provider": providers(obj)}
    return resource(type(obj).__name__, obj, spec)  # the models are named as Forklift's kinds


network_map_manifest = storage_map_manifest = map_manifest  # the names the plan API uses


def hook_manifest(hook: Hook) -> dict:
    spec = {"image": hook.image}
    if hook.playbook:
        # Forklift keeps the playbook base64-encoded (guide §5.3).
        spec["playbook"] = base64.b64encode(hook.playbook.encode()).decode()
    spec["deadline"] = hook.deadline_seconds
    return resource("Hook", hook, spec)


def vm_entries(plan: Plan) -> list[dict]:
    """spec.vms: by id (and name, for people reading it); the VMs of a source `named_by_namespace`
    (KubeVirt) by name and namespace only, as Forklift requires (guide §5.3)."""
    by_namespace = adapter_class(plan.source_provider.type).named_by_namespace
    paths = {}
    if by_namespace:
        paths = dict(VirtualMachine.objects.filter(provider=plan.source_provider,
                                                   uid__in=plan.vms.values("vm_id")).values_list("uid", "path"))
    entries = []
    for vm in plan.vms.prefetch_related("hooks__hook"):
        if by_namespace:
            namespace, name = split_path(paths.get(vm.vm_id, ""))
            entry = {"name": name or vm.name, "namespace": namespace}
        else:
            entry = {"id": vm.vm_id, "name": vm.name}
        if vm.target_name:
            entry["targetName"] = vm.target_name
        hooks = sorted(vm.hooks.all(), key=lambda h: h.step != "PreHook")
        if hooks:
            entry["hooks"] = [{"hook": ref(h.hook), "step": h.step} for h in hooks]
        entries.append(entry)
    return entries


def plan_manifest(plan: Plan) -> dict:
    spec = {"description": plan.description, "warm": plan.warm, "skipGuestConversion": plan.skip_guest_conversion,
            "archived": plan.archived,
            "provider": {"source": ref(plan.source_provider), "destination": ref(plan.destination_provider)},
            "map": {}, "targetNamespace": plan.target_namespace}
    if plan.network_map_id:
        spec["map"]["network"] = ref(plan.network_map)
    if plan.storage_map_id:
        spec["map"]["storage"] = ref(plan.storage_map)
    if plan.transfer_network:
        namespace, _, name = plan.transfer_network.partition("/")
        spec["transferNetwork"] = {"name": name, "namespace": namespace}
    spec["vms"] = vm_entries(plan)
    return resource("Plan", plan, spec)


def manifests(plan: Plan) -> list[dict]:
    """Everything the plan needs, in the order `oc apply -f` should create it."""
    documents = []
    if plan.network_map_id:
        documents.append(network_map_manifest(plan.network_map))
    if plan.storage_map_id:
        documents.append(storage_map_manifest(plan.storage_map))
    hooks = Hook.objects.filter(uses__plan_vm__plan=plan).distinct().order_by("namespace", "name")
    documents += [hook_manifest(h) for h in hooks]
    documents.append(plan_manifest(plan))
    return documents


def to_yaml(documents: list[dict]) -> str:
    return yaml.safe_dump_all(documents, sort_keys=False, default_flow_style=False, explicit_start=True,
                              allow_unicode=True)


def plan_yaml(plan: Plan) -> str:
    return to_yaml(manifests(plan))

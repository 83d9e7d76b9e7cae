"""Read a Forklift Plan manifest (guide §5.3) sent to the REST API into a plan: every reference
resolved among the objects the caller may see, every problem reported at its field's path
(`spec.vms[2].id`) in words that say what to fix. Nothing is saved unless all of it is valid."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from mappings.models import NetworkMap, StorageMap
from mtvweb.access import can
from mtvweb.models import Namespace
from mtvweb.validators import validate_namespace_name
from plans import status
from plans.actions import validate_new_name
from plans.models import Hook, Plan, PlanVM, PlanVMHook
from plans.naming import is_valid_name, why_invalid
from providers.adapters import adapter_class
from providers.models import InventoryObject, Provider, VirtualMachine

STEPS = ("PreHook", "PostHook")


class Invalid(Exception):
    def __init__(self, errors: dict[str, list[str]]):
        super().__init__(errors)
        self.errors = errors


@dataclass
class VMChoice:
    vm: VirtualMachine
    target_name: str = ""
    hooks: list[tuple[str, Hook]] = field(default_factory=list)


@dataclass
class PlanSpec:
    name: str
    namespace: str
    description: str
    source: Provider
    destination: Provider
    target_namespace: str
    warm: bool
    transfer_network: str
    network_map: NetworkMap
    storage_map: StorageMap
    vms: list[VMChoice]


def message(exc: ValidationError) -> str:
    return " ".join(exc.messages)


class Reader:
    def __init__(self, user, data, instance: Plan | None = None):
        self.user, self.data, self.instance = user, data, instance
        self.errors: dict[str, list[str]] = {}

    def fail(self, path: str, text: str):
        self.errors.setdefault(path, []).append(text)

    def section(self, value, path: str) -> dict:
        if value is None:
            return {}
        if not isinstance(value, dict):
            self.fail(path, f"{path} must be an object.")
            return {}
        return value

    def text(self, mapping: dict, key: str, path: str, required=True) -> str:
        value = mapping.get(key)
        if value in (None, ""):
            if required:
                self.fail(path, f"Enter {path}.")
            return ""
        if not isinstance(value, str):
            self.fail(path, f"{path} must be a string.")
            return ""
        return value.strip()

    def reference(self, model, value, path: str, what: str, default_namespace: str):
        """An object named by {name, namespace} (or {id}, as the maps API also takes) among those the
        caller may see."""
        value = self.section(value, path)
        if value.get("id") is not None and not value.get("name"):
            found = model.objects.restrict(self.user, "view").filter(pk=value["id"]).first() \
                if str(value["id"]).isdigit() else None
            if found is None:
                self.fail(path, f"No {what} with id {value['id']} that you may use.")
            return found
        name = self.text(value, "name", f"{path}.name")
        namespace = self.text(value, "namespace", f"{path}.namespace", required=False) or default_namespace
        if not name:
            return None
        found = model.objects.restrict(self.user, "view").filter(name=name, namespace=namespace).first()
        if found is None:
            self.fail(path, f"No {what} named {name} in project {namespace} that you may use: create it first or "
                            "correct the name.")
        return found

    # --- the plan ---------------------------------------------------------------------------

    def read(self) -> PlanSpec:
        data = self.section(self.data, "body")
        kind = data.get("kind", "Plan")
        if kind != "Plan":
            self.fail("kind", f"Send a Plan manifest, not a {kind}. Create maps and hooks with their own APIs.")
        metadata, spec = self.section(data.get("metadata"), "metadata"), self.section(data.get("spec"), "spec")
        name, namespace = self.identity(metadata)
        description = self.text(spec, "description", "spec.description", required=False)
        providers = self.section(spec.get("provider"), "spec.provider")
        if not providers:
            self.fail("spec.provider", "Name the source and destination providers in spec.provider.")
        source = self.reference(Provider, providers.get("source"), "spec.provider.source", "provider", namespace)
        destination = self.reference(Provider, providers.get("destination"), "spec.provider.destination",
                                     "provider", namespace)
        if destination is not None and destination.type != Provider.Type.OPENSHIFT:
            self.fail("spec.provider.destination", f"The destination must be an OpenShift Virtualization provider; "
                                                   f"{destination.name} is {destination.get_type_display()}.")
            destination = None  # nothing else can be checked against it
        target_namespace = self.text(spec, "targetNamespace", "spec.targetNamespace")
        if target_namespace:
            try:
                validate_namespace_name(target_namespace)
            except ValidationError as exc:
                self.fail("spec.targetNamespace", message(exc))
        warm = spec.get("warm", False)
        if not isinstance(warm, bool):
            self.fail("spec.warm", "spec.warm must be true or false.")
            warm = False
        if warm and source is not None and not adapter_class(source.type).supports_warm:
            self.fail("spec.warm", f"{source.get_type_display()} providers support cold migration only: set warm "
                                   "to false.")
        if spec.get("archived") and not (self.instance and self.instance.archived):
            self.fail("spec.archived", "Archive a plan with its archive action, not through its spec.")
        maps = self.section(spec.get("map"), "spec.map")
        network_map = self.plan_map(NetworkMap, maps.get("network"), "spec.map.network", "network map",
                                    namespace, source, destination)
        storage_map = self.plan_map(StorageMap, maps.get("storage"), "spec.map.storage", "storage map",
                                    namespace, source, destination)
        transfer_network = self.transfer_network(spec.get("transferNetwork"), destination)
        vms = self.vms(spec.get("vms"), source, namespace)
        if self.errors:
            raise Invalid(self.errors)
        return PlanSpec(name=name, namespace=namespace, description=description, source=source,
                        destination=destination, target_namespace=target_namespace, warm=warm,
                        transfer_network=transfer_network, network_map=network_map, storage_map=storage_map, vms=vms)

    def identity(self, metadata: dict) -> tuple[str, str]:
        name = self.text(metadata, "name", "metadata.name")
        namespace = self.text(metadata, "namespace", "metadata.namespace")
        if self.instance is not None:
            if namespace and namespace != self.instance.namespace:
                self.fail("metadata.namespace", f"A plan stays in its project ({self.instance.namespace}); "
                                                "duplicate it and create the copy there instead.")
            namespace = self.instance.namespace
            if name and name != self.instance.name:
                self.check_new_name(namespace, name)
            return name, namespace
        if namespace:
            try:
                validate_namespace_name(namespace)
            except ValidationError as exc:
                self.fail("metadata.namespace", message(exc))
                return name, namespace
            if not can(self.user, Plan, "add", namespace):
                self.fail("metadata.namespace", f"You may not create plans in project {namespace}: choose a project "
                                                "where you are an editor.")
        if name and namespace:
            self.check_new_name(namespace, name)
        return name, namespace

    def check_new_name(self, namespace, name):
        try:
            validate_new_name(namespace, name)
        except ValidationError as exc:
            self.fail("metadata.name", message(exc))

    def plan_map(self, model, value, path, what, namespace, source, destination):
        if value is None:
            self.fail(path, f"Name the plan's {what} in {path} (it may be empty, but the plan needs one).")
            return None
        found = self.reference(model, value, path, what, namespace)
        if found and source and destination and (found.source_provider_id, found.destination_provider_id) != (
                source.pk, destination.pk):
            self.fail(path, f"{what.capitalize()} {found.name} maps {found.source_provider.name} → "
                            f"{found.destination_provider.name}, not the plan's {source.name} → {destination.name}: "
                            "choose a map for these providers.")
        return found

    def transfer_network(self, value, destination) -> str:
        if value in (None, {}):
            return ""
        value = self.section(value, "spec.transferNetwork")
        name = self.text(value, "name", "spec.transferNetwork.name")
        namespace = self.text(value, "namespace", "spec.transferNetwork.namespace")
        if not (name and namespace) or destination is None:
            return ""
        if not InventoryObject.objects.filter(provider=destination, kind="network",
                                              path=f"/{namespace}/{name}").exists():
            self.fail("spec.transferNetwork", f"No NetworkAttachmentDefinition {namespace}/{name} in the target "
                                              f"cluster {destination.name}: create it or choose another.")
        return f"{namespace}/{name}"

    # --- VMs ---------------------------------------------------------------------------------

    def vms(self, value, source, namespace) -> list[VMChoice]:
        if not isinstance(value, list) or not value:
            self.fail("spec.vms", "List the VMs to migrate in spec.vms, each by id or name.")
            return []
        if source is None:
            return []
        chosen, seen = [], {}
        for index, entry in enumerate(value):
            path = f"spec.vms[{index}]"
            if not isinstance(entry, dict):
                self.fail(path, f"{path} must be an object with an id or a name.")
                continue
            vm = self.find_vm(entry, source, path)
            if vm is None:
                continue
            if vm.uid in seen:
                self.fail(path, f"VM {vm.name} is listed twice (also at spec.vms[{seen[vm.uid]}]).")
                continue
            seen[vm.uid] = index
            target_name = self.text(entry, "targetName", f"{path}.targetName", required=False)
            if target_name and not is_valid_name(target_name):
                self.fail(f"{path}.targetName", f"{target_name!r} is not a valid VM name: {why_invalid(target_name)}.")
            chosen.append(VMChoice(vm=vm, target_name=target_name, hooks=self.hooks(entry.get("hooks"), path,
                                                                                      namespace)))
        return chosen

    def find_vm(self, entry: dict, source: Provider, path: str) -> VirtualMachine | None:
        vms = VirtualMachine.objects.filter(provider=source)
        vm_id, name = entry.get("id"), entry.get("name")
        if source.type == Provider.Type.OPENSHIFT:
            if vm_id and not name:
                self.fail(path, "Name a KubeVirt source's VMs by name and namespace, not by id (guide §5.3).")
                return None
            namespace = entry.get("namespace")
            if not (name and namespace):
                self.fail(path, "Give the VM's name and namespace.")
                return None
            vm = vms.filter(path=f"/{namespace}/{name}").first()
            if vm is None:
                self.fail(path, f"No VM {namespace}/{name} in the inventory of {source.name}.")
            return vm
        if vm_id:
            vm = vms.filter(uid=str(vm_id)).first()
            if vm is None:
                self.fail(f"{path}.id", f"No VM with id {vm_id} in the inventory of {source.name}.")
            return vm
        if not name:
            self.fail(path, "Give the VM's id (or its name).")
            return None
        found = list(vms.filter(name=name)[:2])
        if not found:
            self.fail(f"{path}.name", f"No VM named {name} in the inventory of {source.name}.")
            return None
        if len(found) > 1:
            self.fail(f"{path}.name", f"More than one VM is named {name} in {source.name}: give its id instead.")
            return None
        return found[0]

    def hooks(self, value, path: str, namespace: str) -> list[tuple[str, Hook]]:
        if value in (None, []):
            return []
        if not isinstance(value, list):
            self.fail(f"{path}.hooks", f"{path}.hooks must be a list.")
            return []
        hooks, steps = [], set()
        for index, entry in enumerate(value):
            where = f"{path}.hooks[{index}]"
            entry = self.section(entry, where)
            step = entry.get("step")
            if step not in STEPS:
                self.fail(f"{where}.step", f"Set step to PreHook or PostHook, not {step!r}.")
                continue
            if step in steps:
                self.fail(f"{where}.step", f"The VM has two {step} hooks; a VM may have at most one per step.")
                continue
            steps.add(step)
            hook = self.reference(Hook, entry.get("hook"), f"{where}.hook", "hook", namespace)
            if hook is not None:
                hooks.append((step, hook))
        return hooks


def read(user, data, instance: Plan | None = None) -> PlanSpec:
    """The validated spec, or Invalid with every problem found."""
    return Reader(user, data, instance).read()


def save(user, spec: PlanSpec, instance: Plan | None = None) -> Plan:
    """Create the plan (or replace an existing one's spec) in one transaction, then check it."""
    with transaction.atomic():
        plan = instance or Plan(namespace=spec.namespace)
        plan.name, plan.description = spec.name, spec.description
        plan.source_provider, plan.destination_provider = spec.source, spec.destination
        plan.target_namespace, plan.warm, plan.transfer_network = spec.target_namespace, spec.warm, \
            spec.transfer_network
        plan.network_map, plan.storage_map = spec.network_map, spec.storage_map
        plan.save()
        plan.vms.all().delete()
        for choice in spec.vms:
            vm = PlanVM.objects.create(plan=plan, vm_id=choice.vm.uid, name=choice.vm.name,
                                       target_name=choice.target_name)
            PlanVMHook.objects.bulk_create(PlanVMHook(plan_vm=vm, hook=hook, step=step) for step, hook in choice.hooks)
        action = "change" if instance else "add"
        if not Plan.objects.restrict(user, action).filter(pk=plan.pk).exists():
            raise PermissionDenied(f"You may not save plans in project {plan.namespace}.")
        Namespace.objects.get_or_create(name=plan.namespace)
    status.refresh(plan)
    return plan


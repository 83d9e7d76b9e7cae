"""A Forklift Plan manifest (guide §5.3) sent to the REST API, read into the plan writer's input:
every reference resolved among what the caller may use, every problem reported at its field's
path (`spec.vms[2].id`). What the manifest's shape cannot say (a taken name, a map for other
providers…) the plan writer checks, with the words the wizard uses; `PATHS` puts its answers
at the manifest's paths."""

from __future__ import annotations

import re

from mappings.kinds import KINDS
from plans import writer
from plans.models import Hook, Plan
from providers.adapters import adapter_class
from providers.models import Provider, VirtualMachine

STEPS = ("PreHook", "PostHook")
# The plan writer's field → the manifest's path.
PATHS = {"name": "metadata.name", "namespace": "metadata.namespace", "description": "spec.description",
         "source": "spec.provider.source", "destination": "spec.provider.destination",
         "target_namespace": "spec.targetNamespace", "transfer_network": "spec.transferNetwork",
         "warm": "spec.warm", "skip_guest_conversion": "spec.skipGuestConversion",
         "network_map": "spec.map.network", "storage_map": "spec.map.storage",
         "vms": "spec.vms", "target_name": "targetName"}
INDEXED = re.compile(r"^vms\[(\d+)\]\.(\w+)$")


def manifest_path(key: str) -> str:
    if match := INDEXED.match(key):
        return f"spec.vms[{match[1]}].{PATHS.get(match[2], match[2])}"
    return PATHS.get(key, key)


def at_paths(problems: writer.Problems) -> writer.Problems:
    return {manifest_path(key): texts for key, texts in problems.items()}


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

    def text(self, mapping: dict, key: str, path: str) -> str:
        value = mapping.get(key)
        if value in (None, ""):
            return ""
        if not isinstance(value, str):
            self.fail(path, f"{path} must be a string.")
            return ""
        return value.strip()

    def reference(self, model, value, path: str, what: str, default_namespace: str):
        """An object named by {name, namespace} (or {id}, as the maps API also takes) among those the
        caller may use; None (for the writer to speak of) when nothing is named."""
        value = self.section(value, path)
        usable = writer.usable(self.user, model)
        if value.get("id") is not None and not value.get("name"):
            found = usable.filter(pk=value["id"]).first() if str(value["id"]).isdigit() else None
            if found is None:
                self.fail(path, f"No {what} with id {value['id']} that you may use.")
            return found
        name = self.text(value, "name", f"{path}.name")
        namespace = self.text(value, "namespace", f"{path}.namespace") or default_namespace
        if not name:
            return None
        found = usable.filter(name=name, namespace=namespace).first()
        if found is None:
            self.fail(path, f"No {what} named {name} in project {namespace} that you may use: create it first or "
                            "correct the name.")
        return found

    # --- the plan ---------------------------------------------------------------------------

    def read(self) -> writer.PlanInput:
        """The writer's input, or writer.Invalid with every problem found at its path."""
        data = self.section(self.data, "body")
        kind = data.get("kind", "Plan")
        if kind != "Plan":
            self.fail("kind", f"Send a Plan manifest, not a {kind}. Create maps and hooks with their own APIs.")
        metadata, spec = self.section(data.get("metadata"), "metadata"), self.section(data.get("spec"), "spec")
        name = self.text(metadata, "name", "metadata.name")
        namespace = self.text(metadata, "namespace", "metadata.namespace") or (
            self.instance.namespace if self.instance else "")
        providers = self.section(spec.get("provider"), "spec.provider")
        source = self.reference(Provider, providers.get("source"), "spec.provider.source", "provider", namespace)
        destination = self.reference(Provider, providers.get("destination"), "spec.provider.destination",
                                     "provider", namespace)
        warm = self.flag(spec, "warm")
        skip_guest_conversion = self.flag(spec, "skipGuestConversion")
        if spec.get("archived") and not (self.instance and self.instance.archived):
            self.fail("spec.archived", "Archive a plan with its archive action, not through its spec.")
        maps = self.section(spec.get("map"), "spec.map")
        plan = writer.PlanInput(
            name=name, namespace=namespace, source=source, destination=destination,
            description=self.text(spec, "description", "spec.description"),
            target_namespace=self.text(spec, "targetNamespace", "spec.targetNamespace"), warm=warm,
            skip_guest_conversion=skip_guest_conversion,
            transfer_network=self.transfer_network(spec.get("transferNetwork")),
            **{kind.plan_field: self.reference(kind.model, maps.get(name), f"spec.map.{name}", f"{kind} map", namespace)
               for name, kind in KINDS.items()},
            vms=self.vms(spec.get("vms"), source, namespace))
        for path, texts in at_paths(writer.problems(self.user, plan, self.instance)).items():
            if not any(p == path or p.startswith((path + ".", path + "[")) for p in self.errors):
                self.errors[path] = texts
        if self.errors:
            raise writer.Invalid(self.errors)
        return plan

    def flag(self, spec: dict, key: str) -> bool:
        value = spec.get(key, False)
        if not isinstance(value, bool):
            self.fail(f"spec.{key}", f"spec.{key} must be true or false.")
            return False
        return value

    def transfer_network(self, value) -> str:
        if value in (None, {}):
            return ""
        value = self.section(value, "spec.transferNetwork")
        name = self.text(value, "name", "spec.transferNetwork.name")
        namespace = self.text(value, "namespace", "spec.transferNetwork.namespace")
        if not (name and namespace):
            self.fail("spec.transferNetwork", "Give the transfer network's name and namespace.")
            return ""
        return f"{namespace}/{name}"

    # --- VMs ---------------------------------------------------------------------------------

    def vms(self, value, source, namespace) -> list[writer.VMChoice]:
        if value is None:
            return []
        if not isinstance(value, list):
            self.fail("spec.vms", "spec.vms must be a list of VMs, each by id or name.")
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
            target_name = self.text(entry, "targetName", f"{path}.targetName")
            chosen.append(writer.VMChoice(vm=vm, target_name=target_name,
                                          hooks=self.hooks(entry.get("hooks"), path, namespace)))
        return chosen

    def find_vm(self, entry: dict, source: Provider, path: str) -> VirtualMachine | None:
        vms = writer.usable_vms(self.user, source)
        vm_id, name = entry.get("id"), entry.get("name")
        if adapter_class(source.type).named_by_namespace:
            if vm_id and not name:
                self.fail(path, f"Name {source.get_type_display()} VMs by name and namespace, not by id (guide "
                                "§5.3).")
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
            if not entry.get("hook"):
                self.fail(f"{where}.hook", "Name the hook to run: {\"name\": …, \"namespace\": …}.")
                continue
            hook = self.reference(Hook, entry["hook"], f"{where}.hook", "hook", namespace)
            if hook is not None:
                hooks.append((step, hook))
        return hooks


def read(user, data, instance: Plan | None = None) -> writer.PlanInput:
    return Reader(user, data, instance).read()

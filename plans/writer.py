"""The one way a plan is checked and saved: the wizard (plans/wizard/), the REST API (plans/api/)
and any command line build a `PlanInput` and hand it to `save()`.

* References are resolved among what the user may use: `usable(user, Model)` is the one lookup
  (and `usable_vms(user, source)` for VMs; both from plans.tenancy, with the target namespace's rule).
* `problems(user, plan, instance)` checks the whole input and returns `{field: [messages]}`,
  keyed by the writer's field names (`name`, `namespace`, `source`, `destination`,
  `target_namespace`, `transfer_network`, `warm`, `network_map`, `storage_map`, `vms`,
  `vms[2].target_name`, `vms[2].hooks`, `hooks.PreHook.image`…). Each way in translates them into
  its own (the API into `spec.vms[2].targetName`, the wizard into its steps' fields), so the same
  mistake reads the same everywhere. The wizard asks for a part at a time (`general_problems`,
  `warm_problem`, `map_problem`, `target_name_problem`, `hook_problems`).
* `save(user, plan, instance)` checks again, then writes the maps and hooks the input makes, the
  plan, its VMs and their hooks in one transaction, re-checks the user's right to the saved plan,
  and refreshes its Ready status. Editing a plan locks it and applies the console's edit rule.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from mappings.kinds import KINDS, MapKind
from mappings.models import NetworkMap, StorageMap
from mappings.saving import MapInvalid, save_map
from mappings.targets import target_networks
from mtvweb.access import can
from mtvweb.models import Namespace
from mtvweb.validators import validate_namespace_name
from plans import actions, status
from plans.hooks import image_problem, playbook_problem
from plans.models import Hook, Plan, PlanVM, PlanVMHook
from plans.naming import is_valid_name, why_invalid
from plans.tenancy import (  # usable and usable_vms: the lookups every way in resolves references with
    claim_target_namespace,
    target_namespace_problem,
    usable,  # noqa: F401
    usable_vms,  # noqa: F401
)
from providers.adapters import adapter_class, warm_types
from providers.models import Provider, VirtualMachine

Problems = dict[str, list[str]]
HOOK_STEPS = ("PreHook", "PostHook")
NO_VMS = "Select at least one VM to migrate."


class Invalid(Exception):
    """Nothing was saved; `problems` says what to fix, field by field."""

    def __init__(self, problems: Problems):
        super().__init__(problems)
        self.problems = problems


@dataclass
class NewMap:
    """A network or storage map the plan makes as it is saved (the wizard's "new map")."""

    name: str
    pairs: list  # mappings.pairs.NetworkPairSpec / StoragePairSpec


@dataclass
class NewHook:
    """A hook the plan makes as it is saved (the wizard's playbook or image)."""

    name: str
    image: str = Hook.DEFAULT_IMAGE
    playbook: str = ""


@dataclass
class VMChoice:
    vm: VirtualMachine
    target_name: str = ""
    hooks: list[tuple[str, Hook | NewHook]] = field(default_factory=list)  # (step, hook)


@dataclass
class PlanInput:
    name: str
    namespace: str
    source: Provider | None
    destination: Provider | None
    target_namespace: str
    network_map: NetworkMap | NewMap | None
    storage_map: StorageMap | NewMap | None
    vms: list[VMChoice]
    description: str = ""
    warm: bool = False
    transfer_network: str = ""  # "namespace/name" of a NetworkAttachmentDefinition, or ""
    # A raw copy without virt-v2v (plans.conversion); accepted for every source, and a no-op for those
    # whose VMs are never converted, as in Forklift.
    skip_guest_conversion: bool = False


def message(exc: ValidationError) -> str:
    return " ".join(exc.messages)


# --- the checks, one message each ----------------------------------------------------------------


def name_problem(namespace: str, name: str, instance: Plan | None = None) -> str:
    """Why `name` cannot be the plan's name ("" when it can): taken, invalid or missing."""
    if instance is not None and name == instance.name:
        return ""
    try:
        actions.validate_new_name(namespace, name)
    except ValidationError as exc:
        return message(exc)
    return ""


def project_problem(user, namespace: str, instance: Plan | None = None) -> str:
    if instance is not None:
        if namespace != instance.namespace:
            return (f"A plan stays in its project ({instance.namespace}); duplicate it and create the copy there "
                    "instead.")
        return ""
    if not namespace:
        return "Choose the project the plan belongs to."
    try:
        validate_namespace_name(namespace)
    except ValidationError as exc:
        return message(exc)
    if not can(user, Plan, "add", namespace):
        return f"You may not create plans in project {namespace}: choose a project where you are an editor."
    return ""


def destination_problem(destination: Provider | None) -> str:
    if destination is None:
        return "Choose the target provider (an OpenShift Virtualization provider)."
    if not adapter_class(destination.type).is_target:
        return (f"The destination must be an OpenShift Virtualization provider; {destination.name} is "
                f"{destination.get_type_display()}.")
    return ""


def transfer_network_problem(user, destination: Provider | None, value: str) -> str:
    if not value or destination is None:
        return ""
    if value not in {n.value for n in target_networks(destination, user=user)}:
        return (f"NetworkAttachmentDefinition {value} is not in the cluster of {destination.name}: create it there, "
                "or choose another or the default.")
    return ""


def general_problems(user, *, name: str, namespace: str, source, destination, target_namespace: str,
                     transfer_network: str = "", instance: Plan | None = None) -> Problems:
    """The plan's name and project, its providers, its target namespace and transfer network (checked
    only against a destination that can be one)."""
    wrong_destination = destination_problem(destination)
    found = {"namespace": project_problem(user, namespace, instance),
             "name": name_problem(instance.namespace if instance else namespace, name, instance),
             "source": "" if source is not None else "Choose the source provider.",
             "destination": wrong_destination,
             "target_namespace": target_namespace_problem(user, target_namespace,
                                                          None if wrong_destination else destination),
             "transfer_network": "" if wrong_destination else transfer_network_problem(user, destination,
                                                                                        transfer_network)}
    return {key: [text] for key, text in found.items() if text}


def warm_problem(source: Provider | None, warm: bool) -> str:
    if not warm or source is None or adapter_class(source.type).supports_warm:
        return ""
    warm_names = " and ".join(Provider.Type(t).label for t in warm_types())
    return (f"Warm migration copies disks while the VMs run; {source.get_type_display()} providers support cold "
            f"migration only (warm is for {warm_names}).")


def map_problem(kind: MapKind, chosen, source: Provider | None, destination: Provider | None,
                namespace: str) -> str:
    """A plan needs a map of each kind; an existing one must be in the plan's project and join the
    plan's providers."""
    if chosen is None:
        return f"Choose a {kind} map, or create a new one."
    if isinstance(chosen, NewMap):
        return ""
    if chosen.namespace != namespace:
        return (f"{str(kind).capitalize()} map {chosen.namespace}/{chosen.name} is in another project: a plan uses "
                f"maps of its own project ({namespace}). Choose one there, or create a new one.")
    if source is None or destination is None:
        return ""
    if (chosen.source_provider_id, chosen.destination_provider_id) != (source.pk, destination.pk):
        return (f"{str(kind).capitalize()} map {chosen.name} maps {chosen.source_provider.name} → "
                f"{chosen.destination_provider.name}, not the plan's {source.name} → {destination.name}: choose a "
                "map for these providers.")
    return ""


def target_name_problem(value: str) -> str:
    if value and not is_valid_name(value):
        return f"{value!r} is not a valid VM name: {why_invalid(value)}."
    return ""


def hook_namespace_problem(hook: Hook, namespace: str) -> str:
    """An existing hook a plan runs must be in the plan's project."""
    if hook.namespace == namespace:
        return ""
    return (f"Hook {hook.namespace}/{hook.name} is in another project: a plan runs hooks of its own project "
            f"({namespace}). Choose one there, or add the playbook or image as a new hook.")


def hook_problems(image: str, playbook: str, playbook_required: bool) -> Problems:
    """A new hook: a playbook that parses (required unless a custom image runs on its own) and an
    image a cluster can pull."""
    found = {"image": image_problem(image), "playbook": ""}
    if playbook.strip():
        found["playbook"] = playbook_problem(playbook)
    elif playbook_required:
        found["playbook"] = "Paste or upload the Ansible playbook to run."
    return {key: [text] for key, text in found.items() if text}


def vm_problems(vms: list[VMChoice], namespace: str) -> Problems:
    found: Problems = {}
    if not vms:
        found["vms"] = [NO_VMS]
    for index, choice in enumerate(vms):
        if text := target_name_problem(choice.target_name):
            found[f"vms[{index}].target_name"] = [text]
        hooks = [text for _, hook in choice.hooks if isinstance(hook, Hook)
                 if (text := hook_namespace_problem(hook, namespace))]
        if hooks:
            found[f"vms[{index}].hooks"] = hooks
    return found


def new_hooks(plan: PlanInput) -> dict[str, NewHook]:
    """The hooks the input makes, by step."""
    return {step: hook for choice in plan.vms for step, hook in choice.hooks if isinstance(hook, NewHook)}


def problems(user, plan: PlanInput, instance: Plan | None = None) -> Problems:
    """Everything wrong with the input, by field; empty when it can be saved."""
    found = general_problems(user, name=plan.name, namespace=plan.namespace, source=plan.source,
                             destination=plan.destination, target_namespace=plan.target_namespace,
                             transfer_network=plan.transfer_network, instance=instance)
    if text := warm_problem(plan.source, plan.warm):
        found["warm"] = [text]
    destination = None if "destination" in found else plan.destination
    namespace = instance.namespace if instance is not None else plan.namespace  # a plan stays in its project
    for kind in KINDS.values():
        if text := map_problem(kind, getattr(plan, kind.plan_field), plan.source, destination, namespace):
            found[kind.plan_field] = [text]
    if plan.source is not None:  # without one, no VM could be chosen
        found.update(vm_problems(plan.vms, namespace))
    for step, hook in new_hooks(plan).items():
        for key, texts in hook_problems(hook.image, hook.playbook, playbook_required=False).items():
            found[f"hooks.{step}.{key}"] = texts
    return found


# --- saving --------------------------------------------------------------------------------------


def save(user, plan: PlanInput, instance: Plan | None = None) -> Plan:
    """Check and save the plan in one transaction; Invalid (nothing saved) when it does not hold.
    Editing an existing plan takes its edit rule: PermissionDenied for the role, ActionRefused
    for the plan's state."""
    try:
        with transaction.atomic():
            if instance is not None:
                instance = _locked_for_edit(user, instance)
            found = problems(user, plan, instance)
            if found:
                raise Invalid(found)
            saved = _write(user, plan, instance)
    except IntegrityError:  # another request took the name between the check and the insert
        raise Invalid({"name": [f"A plan named {plan.name} was just created in project {plan.namespace}: choose "
                                "another name."]}) from None
    status.refresh(saved)
    return saved


def _locked_for_edit(user, plan: Plan) -> Plan:
    plan = Plan.objects.select_for_update().get(pk=plan.pk)
    refused = actions.refusal(user, plan, "edit")
    if refused:
        kind, reason = refused
        raise PermissionDenied(reason) if kind == "role" else actions.ActionRefused(reason)
    return plan


def _write(user, plan: PlanInput, instance: Plan | None) -> Plan:
    maps = {kind.plan_field: _made_map(user, plan, kind) for kind in KINDS.values()}
    hooks = {step: create_hook(user, plan.namespace, hook) for step, hook in new_hooks(plan).items()}
    row = instance or Plan(namespace=plan.namespace)
    row.name, row.description = plan.name, plan.description
    row.source_provider, row.destination_provider = plan.source, plan.destination
    row.target_namespace, row.warm, row.transfer_network = plan.target_namespace, plan.warm, plan.transfer_network
    row.skip_guest_conversion = plan.skip_guest_conversion
    for field_name, made in maps.items():
        setattr(row, field_name, made)
    row.save()
    row.vms.all().delete()
    for choice in plan.vms:
        vm = PlanVM.objects.create(plan=row, vm_id=choice.vm.uid, name=choice.vm.name, target_name=choice.target_name)
        PlanVMHook.objects.bulk_create(PlanVMHook(plan_vm=vm, step=step, hook=hooks.get(step) if isinstance(
            hook, NewHook) else hook) for step, hook in choice.hooks)
    action = "change" if instance else "add"
    if not Plan.objects.restrict(user, action).filter(pk=row.pk).exists():
        raise PermissionDenied(f"You may not save plans in project {row.namespace}.")
    Namespace.objects.get_or_create(name=row.namespace)
    claim_target_namespace(user, row.target_namespace, row.destination_provider)
    return row


def _made_map(user, plan: PlanInput, kind: MapKind):
    chosen = getattr(plan, kind.plan_field)
    if not isinstance(chosen, NewMap):
        return chosen
    try:
        return save_map(kind, user=user, name=chosen.name, namespace=plan.namespace, source=plan.source,
                        target=plan.destination, pairs=chosen.pairs)
    except MapInvalid as exc:
        raise Invalid({kind.plan_field: [f"The new {kind} map was not saved: {exc}."]}) from None


def create_hook(user, namespace: str, hook: NewHook, deadline_seconds: int = 600) -> Hook:
    """A hook, checked for the user's right to it once saved (the caller checked `hook_problems`)."""
    with transaction.atomic():
        made = Hook.objects.create(namespace=namespace, name=hook.name, image=hook.image, playbook=hook.playbook,
                                   deadline_seconds=deadline_seconds)
        if not Hook.objects.restrict(user, "add").filter(pk=made.pk).exists():
            raise PermissionDenied(f"You may not create hooks in project {namespace}.")
        Namespace.objects.get_or_create(name=namespace)
    return made

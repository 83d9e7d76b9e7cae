"""The wizard's last click: new maps and hooks, the plan, and the target namespace when it is
new — all or nothing. A map not saved as a template is named after the plan; one saved as a
template gets the user's name (and is offered again by the next plans' wizards)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from kubernetes import client
from kubernetes.client.rest import ApiException

from mappings.models import NetworkMap, StorageMap
from mappings.saving import MapInvalid, free_name, save_network_map, save_storage_map
from plans import actions
from plans.api.spec import PlanSpec, VMChoice
from plans.api.spec import save as save_plan
from plans.models import Hook, Plan
from plans.wizard.state import HOOK_STEPS, Choices
from providers.kube import cluster_api, server_message
from providers.models import InventoryObject, VirtualMachine


class FinishFailed(Exception):
    """Nothing was saved; the message says what to fix."""


def _map(choices: Choices, kind: str, plan_name: str):
    chosen = choices.chosen_map(kind)
    if chosen is not None:
        return chosen
    part = choices.part(kind)
    namespace = choices.general["namespace"]
    model, save = (NetworkMap, save_network_map) if kind == "network" else (StorageMap, save_storage_map)
    name = part["template_name"] if part.get("template") else free_name(model, namespace, f"{plan_name}-{kind}")
    try:
        return save(user=choices.user, name=name, namespace=namespace, source=choices.source,
                    target=choices.target, pairs=choices.pairs(kind))
    except MapInvalid as exc:
        raise FinishFailed(f"The new {kind} map was not saved: {exc}. Go back to the {kind} map step.") from None


def _hook(choices: Choices, step: str, plan_name: str) -> Hook | None:
    choice = choices.hook_choice(step)
    kind = choice.get("kind")
    if kind == "existing":
        return choices.existing_hook(step)
    if kind not in ("playbook", "image"):
        return None
    namespace = choices.general["namespace"]
    name = free_name(Hook, namespace, f"{plan_name}-{step.lower()}")
    if kind == "playbook":
        return Hook.objects.create(namespace=namespace, name=name, playbook=choice["playbook"])
    return Hook.objects.create(namespace=namespace, name=name, image=choice["image"], playbook="")


def _vm_hooks(choices: Choices, plan: Plan | None, hooks: dict) -> dict[str, list]:
    """Each VM's (step, hook) list; "keep" leaves the hooks a plan's VMs already had."""
    kept = {}
    if plan is not None:
        for vm in plan.vms.prefetch_related("hooks__hook"):
            kept[vm.vm_id] = {h.step: h.hook for h in vm.hooks.all()}
    result = {}
    for vm_id in choices.vm_ids:
        chosen = []
        for step in HOOK_STEPS:
            if choices.hook_choice(step).get("kind") == "keep":
                hook = kept.get(vm_id, {}).get(step)
            else:
                hook = hooks.get(step)
            if hook is not None:
                chosen.append((step, hook))
        result[vm_id] = chosen
    return result


def _ensure_target_namespace(choices: Choices) -> None:
    target, namespace = choices.target, choices.general["target_namespace"]
    if InventoryObject.objects.filter(provider=target, kind="folder", name=namespace).exists():
        return
    try:
        api = cluster_api(target)
        client.CoreV1Api(api).create_namespace({"metadata": {"name": namespace}})
    except ApiException as exc:
        if exc.status != 409:  # already there (the inventory has not caught up yet)
            raise FinishFailed(f"Could not create namespace {namespace} in the cluster of {target.name}: "
                               f"{server_message(exc)}. Create it there, or choose an existing namespace.") from None
    except Exception as exc:  # noqa: BLE001 - any failure to reach the cluster is reported the same way
        raise FinishFailed(f"Could not create namespace {namespace} in the cluster of {target.name}: {exc}. "
                           "Create it there, or choose an existing namespace.") from None


def finish(choices: Choices, plan: Plan | None = None) -> Plan:
    general = choices.general
    if plan is not None:
        allowed, reason = actions.can_edit(plan)
        if not allowed:
            raise FinishFailed(reason)
    vms = {vm.uid: vm for vm in VirtualMachine.objects.filter(provider=choices.source, uid__in=choices.vm_ids)}
    missing = [uid for uid in choices.vm_ids if uid not in vms]
    if missing:
        raise FinishFailed(f"VMs no longer in the inventory of {choices.source.name}: {', '.join(missing)}. "
                           "Go back to the VM step and deselect them.")
    try:
        with transaction.atomic():
            name = general["name"]
            network_map, storage_map = _map(choices, "network", name), _map(choices, "storage", name)
            hooks = {step: _hook(choices, step, name) for step in HOOK_STEPS}
            vm_hooks = _vm_hooks(choices, plan, hooks)
            names = choices.part("names")
            spec = PlanSpec(name=name, namespace=general["namespace"], description=general.get("description", ""),
                            source=choices.source, destination=choices.target,
                            target_namespace=general["target_namespace"], warm=choices.warm,
                            transfer_network=general.get("transfer_network", ""), network_map=network_map,
                            storage_map=storage_map,
                            vms=[VMChoice(vm=vms[uid], target_name=names.get(uid, ""), hooks=vm_hooks[uid])
                                 for uid in choices.vm_ids])
            saved = save_plan(choices.user, spec, instance=plan)
            _ensure_target_namespace(choices)
    except (PermissionDenied, ValidationError) as exc:
        raise FinishFailed(" ".join(getattr(exc, "messages", [str(exc)]))) from None
    return saved

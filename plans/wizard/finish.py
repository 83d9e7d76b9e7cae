"""The wizard's last click: its choices become the plan writer's input, saved with the new maps
and hooks, and the target namespace made when it is new — all or nothing, and without a database
transaction open while the cluster is called. A map not saved as a template is named after the
plan; one saved as a template gets the user's name (and is offered again by the next plans'
wizards)."""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied, ValidationError
from kubernetes import client
from kubernetes.client.rest import ApiException

from mappings.kinds import KINDS
from mappings.saving import free_name
from plans import actions, writer
from plans.models import Hook, Plan
from plans.wizard.state import HOOK_STEPS, Choices
from providers.kube import cluster_api, server_message
from providers.models import InventoryObject

logger = logging.getLogger("mtvweb.plans")
# The plan writer's fields → the wizard's steps that hold them.
STEP_OF = {"network_map": "Network map", "storage_map": "Storage map", "warm": "Migration type", "vms": "VMs"}


class FinishFailed(Exception):
    """Nothing was saved; the message says what to fix."""


def _map(choices: Choices, kind_name: str, plan_name: str):
    chosen = choices.chosen_map(kind_name)
    if chosen is not None:
        return chosen
    kind, part = KINDS[kind_name], choices.part(kind_name)
    name = part["template_name"] if part.get("template") else free_name(kind.model, choices.general["namespace"],
                                                                          f"{plan_name}-{kind}")
    return writer.NewMap(name=name, pairs=choices.pairs(kind_name))


def _hook(choices: Choices, step: str, plan_name: str) -> Hook | writer.NewHook | None:
    choice = choices.hook_choice(step)
    kind = choice.get("kind")
    if kind == "existing":
        return choices.existing_hook(step)
    if kind not in ("playbook", "image"):
        return None
    name = free_name(Hook, choices.general["namespace"], f"{plan_name}-{step.lower()}")
    if kind == "playbook":
        return writer.NewHook(name=name, playbook=choice["playbook"])
    return writer.NewHook(name=name, image=choice["image"])


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


def plan_input(choices: Choices, plan: Plan | None = None) -> writer.PlanInput:
    """The writer's input from the wizard's choices; FinishFailed when a chosen VM is gone."""
    general, source = choices.general, choices.source
    vms = {vm.uid: vm for vm in writer.usable_vms(choices.user, source).filter(uid__in=choices.vm_ids)}
    missing = [uid for uid in choices.vm_ids if uid not in vms]
    if missing:
        raise FinishFailed(f"VMs no longer in the inventory of {source.name}: {', '.join(missing)}. "
                           "Go back to the VM step and deselect them.")
    name = general["name"]
    hooks = {step: _hook(choices, step, name) for step in HOOK_STEPS}
    vm_hooks = _vm_hooks(choices, plan, hooks)
    names = choices.part("names")
    return writer.PlanInput(
        name=name, namespace=general["namespace"], description=general.get("description", ""), source=source,
        destination=choices.target, target_namespace=general["target_namespace"], warm=choices.warm,
        skip_guest_conversion=choices.skip_guest_conversion,
        transfer_network=general.get("transfer_network", ""),
        **{kind.plan_field: _map(choices, kind_name, name) for kind_name, kind in KINDS.items()},
        vms=[writer.VMChoice(vm=vms[uid], target_name=names.get(uid, ""), hooks=vm_hooks[uid])
             for uid in choices.vm_ids])


def _namespaces(target):
    return client.CoreV1Api(cluster_api(target))


def _ensure_target_namespace(choices: Choices) -> bool:
    """The target namespace, created in the cluster when it is new; True when it was made now."""
    target, namespace = choices.target, choices.general["target_namespace"]
    if InventoryObject.objects.filter(provider=target, kind="folder", name=namespace).exists():
        return False
    try:
        _namespaces(target).create_namespace({"metadata": {"name": namespace}})
        return True
    except ApiException as exc:
        if exc.status == 409:  # already there (the inventory has not caught up yet)
            return False
        raise FinishFailed(f"Could not create namespace {namespace} in the cluster of {target.name}: "
                           f"{server_message(exc)}. Create it there, or choose an existing namespace.") from None
    except Exception as exc:  # noqa: BLE001 - any failure to reach the cluster is reported the same way
        raise FinishFailed(f"Could not create namespace {namespace} in the cluster of {target.name}: {exc}. "
                           "Create it there, or choose an existing namespace.") from None


def _remove_target_namespace(choices: Choices) -> None:
    """Undo _ensure_target_namespace after a save that failed: best effort, what is left is empty."""
    try:
        _namespaces(choices.target).delete_namespace(choices.general["target_namespace"])
    except Exception:  # noqa: BLE001 - the save's failure is what the user must see
        logger.warning("could not remove namespace %s again", choices.general["target_namespace"], exc_info=True)


def finish(choices: Choices, plan: Plan | None = None) -> Plan:
    """All or nothing, with no transaction held across the call to the cluster: the input is
    checked first, then the namespace made, then the plan saved (checked again, in the writer's
    transaction); a namespace made for a save that then fails is removed again."""
    created = False
    try:
        try:
            data = plan_input(choices, plan)
            if found := writer.problems(choices.user, data, plan):
                raise writer.Invalid(found)
            created = _ensure_target_namespace(choices)
            return writer.save(choices.user, data, instance=plan)
        except Exception:
            if created:
                _remove_target_namespace(choices)
            raise
    except writer.Invalid as exc:
        raise FinishFailed(" ".join(f"{STEP_OF[key] + ': ' if key in STEP_OF else ''}{' '.join(texts)}"
                                    for key, texts in exc.problems.items())) from None
    except actions.ActionRefused as exc:
        raise FinishFailed(exc.message) from None
    except (PermissionDenied, ValidationError) as exc:
        raise FinishFailed(" ".join(getattr(exc, "messages", [str(exc)]))) from None

"""The walls between namespaces as a plan meets them (DESIGN.md "Users and access"):

* `usable(user, Model)` — the providers, maps and hooks a user may put in a plan (editor in their
  namespace, or a provider shared from the operator namespace: mtvweb.access, "use");
  `usable_vms(user, source)` — the source's VMs they may migrate (providers.inventory.visible).
* `target_namespace_problem(user, namespace, destination)` — where a plan may migrate to: a
  namespace where the user is an editor; `kube-*`, `openshift-*`, `default` and mtvweb's own
  namespace only for cluster admins. A namespace nobody holds yet may be claimed by a cluster
  admin, or, with settings.MTVWEB_EDITORS_CREATE_NAMESPACES, by an editor of project P when it is
  named P-<something>; saving the plan makes them its editor (`claim_target_namespace`).
* `run_refusal(user, plan, vm_ids)` — why the user may not (any longer) run the plan: checked when
  it starts (plans.actions.start) and by the engine before it touches the cluster, for the user
  who started the migration.

The plan writer (plans/writer.py) asks these when a plan is saved, so the wizard, the REST API
and the command line say the same thing.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.text import capfirst

from mtvweb.access import can, namespaces_for
from mtvweb.models import Namespace, NamespaceRole
from mtvweb.roles import EDITOR
from mtvweb.validators import validate_namespace_name
from plans.models import Hook, Plan
from providers.inventory.visible import visible_inventory
from providers.models import InventoryObject, Provider, VirtualMachine

RESERVED_PREFIXES = ("kube-", "openshift-")
RESERVED_NAMES = ("default",)
LISTED = 5  # at most this many of the user's namespaces are named in a message


def usable(user, model):
    """The objects of `model` (providers, maps, hooks) the user may refer to in a plan."""
    return model.objects.restrict(user, "use")


def usable_vms(user, source: Provider):
    """The VMs of a source (one the user may use) that the user may put in a plan: a cluster's
    only from namespaces where the user is an editor."""
    return visible_inventory(user, source, VirtualMachine, "use")


# --- the target namespace ------------------------------------------------------------------------


def is_reserved(namespace: str) -> bool:
    """The cluster's own namespaces and mtvweb's: only cluster admins migrate into them."""
    return (namespace.startswith(RESERVED_PREFIXES) or namespace in RESERVED_NAMES
            or namespace == settings.MTVWEB_NAMESPACE)


def editor_namespaces(user) -> list[str]:
    return sorted(namespaces_for(user, Plan, "add").values_list("namespace", flat=True))


def _exists(namespace: str, destination: Provider | None) -> bool:
    """Is the namespace in the destination cluster, or already someone's in mtvweb?"""
    in_cluster = destination is not None and InventoryObject.objects.filter(
        provider=destination, kind="folder", name=namespace).exists()
    return in_cluster or NamespaceRole.objects.filter(namespace=namespace).exists()


def claimable_prefix(user, namespace: str, destination: Provider | None) -> str:
    """The project whose editors may create this new namespace (settings
    MTVWEB_EDITORS_CREATE_NAMESPACES: P-<something> for editors of P); "" when the user may not."""
    if not settings.MTVWEB_EDITORS_CREATE_NAMESPACES or _exists(namespace, destination):
        return ""
    return next((p for p in editor_namespaces(user) if namespace.startswith(f"{p}-")), "")


def _your_namespaces(user) -> str:
    names = editor_namespaces(user)
    if not names:
        return "you are an editor of no namespace: ask a cluster admin for the editor role in one"
    shown = ", ".join(names[:LISTED]) + (", …" if len(names) > LISTED else "")
    return f"choose one where you are an editor ({shown})"


def target_namespace_problem(user, namespace: str, destination: Provider | None = None) -> str:
    """Why the plan may not migrate into `namespace` for this user ("" when it may)."""
    if not namespace:
        return "Choose the target namespace, or type a new name to create it."
    try:
        validate_namespace_name(namespace)
    except ValidationError as exc:
        return " ".join(exc.messages)
    if user.is_superuser:
        return ""
    if is_reserved(namespace):
        return (f"Namespace {namespace} belongs to the cluster itself (kube-*, openshift-*, default and mtvweb's "
                f"namespace {settings.MTVWEB_NAMESPACE} are for cluster admins): migrate into a namespace of your "
                f"project instead — {_your_namespaces(user)} — or ask a cluster admin to run this migration.")
    if can(user, Plan, "add", namespace) or claimable_prefix(user, namespace, destination):
        return ""
    creating = (f" or name a new one after your project (e.g. {editor_namespaces(user)[0]}-vms)"
                if settings.MTVWEB_EDITORS_CREATE_NAMESPACES and editor_namespaces(user) else "")
    return (f"You may not migrate VMs into namespace {namespace}: it takes the editor role there. "
            f"{capfirst(_your_namespaces(user))}{creating}.")


def claim_target_namespace(user, namespace: str, destination: Provider | None) -> None:
    """Saving a plan that targets a namespace the user creates by their project's prefix makes
    them its editor (checked by `target_namespace_problem` first)."""
    if user.is_superuser or can(user, Plan, "add", namespace) or not claimable_prefix(user, namespace, destination):
        return
    Namespace.objects.get_or_create(name=namespace)
    NamespaceRole.objects.create(user=user, namespace=namespace, role=EDITOR)


# --- running -------------------------------------------------------------------------------------


def run_refusal(user, plan: Plan, vm_ids=None) -> str:
    """Why `user` may not run the plan (for `vm_ids`, default all its VMs); "" when they may. The
    plan was checked when it was saved; roles and inventories may have changed since."""
    if user is None or not user.is_active:
        return (f"The user who started plan {plan.name} no longer exists or is disabled: start it again as a user "
                "who may run it.")
    who = f"{user.username} may no longer"
    providers = usable(user, Provider).filter(pk__in=[plan.source_provider_id, plan.destination_provider_id])
    if providers.count() != len({plan.source_provider_id, plan.destination_provider_id}):
        return (f"{who} use the providers of plan {plan.name} ({plan.source_provider.name} → "
                f"{plan.destination_provider.name}): it takes the editor role in their project.")
    if problem := target_namespace_problem(user, plan.target_namespace, plan.destination_provider):
        return problem
    for field in ("network_map", "storage_map"):
        chosen = getattr(plan, field)
        if chosen is not None and (chosen.namespace != plan.namespace
                                   or not usable(user, type(chosen)).filter(pk=chosen.pk).exists()):
            return f"{who} use {chosen._meta.verbose_name} {chosen.namespace}/{chosen.name} in plan {plan.name}."
    wanted = set(vm_ids) if vm_ids is not None else set(plan.vms.values_list("vm_id", flat=True))
    hooks = usable(user, Hook).filter(namespace=plan.namespace)
    foreign = (Hook.objects.filter(uses__plan_vm__plan=plan, uses__plan_vm__vm_id__in=wanted)
               .exclude(pk__in=hooks.values("pk")).first())
    if foreign is not None:
        return f"{who} run hook {foreign.namespace}/{foreign.name} in plan {plan.name}."
    # VMs gone from the inventory are the plan checks' and the engine's to report.
    present = set(VirtualMachine.objects.filter(provider=plan.source_provider_id, uid__in=wanted)
                  .values_list("uid", flat=True))
    allowed = set(usable_vms(user, plan.source_provider).filter(uid__in=present).values_list("uid", flat=True))
    refused = sorted(plan.vms.filter(vm_id__in=present - allowed).values_list("name", flat=True))
    if refused:
        return (f"{who} migrate VM {', '.join(refused)} of {plan.source_provider.name}: it takes the editor role in "
                "the VM's namespace.")
    return ""

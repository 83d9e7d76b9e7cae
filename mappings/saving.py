"""Creating and changing maps from code: the plan wizard and the REST API save through here,
with the same checks and messages as the console's editor.

    from mappings.kinds import NETWORK
    from mappings.saving import MapInvalid, save_map, free_name

    network_map = save_map(NETWORK, user=request.user, name="plan-x-networks", namespace="team-a",
                           source=source_provider, target=target_provider,
                           pairs=[NetworkPairSpec("network-6", "pod"), ...])

`pairs` are `mappings.pairs.NetworkPairSpec` / `StoragePairSpec` (JSON-friendly through
`to_json()` / `from_json()`; `mappings.suggest` makes pre-filled ones). Empty storage modes
become the class's defaults. `instance=` changes an existing map instead (all pairs replaced).
On bad input `MapInvalid.errors` holds `{field: [messages]}` for name/namespace/providers and
`"map": {row index: {field: [messages]}}` for the rows; nothing is saved. A user who may not
write in the namespace gets PermissionDenied. Saving touches the map's `updated`, so plans
using it are checked again (plans.status).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction

from mappings.forms import FORMS
from mtvweb.models import Namespace
from mtvweb.views.generic import namespaces_allowed


class MapInvalid(Exception):
    def __init__(self, errors: dict):
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


def form_errors(form) -> dict:
    errors = {name: [str(e) for e in messages] for name, messages in form.errors.items()}
    if form.pair_errors:
        errors["map"] = form.pair_errors
    return errors


def save_map(kind, *, user, name, namespace, source, target, pairs, instance=None):
    """kind: the mappings.kinds.MapKind of the map to save."""
    model = kind.model
    instance = instance or model()
    action = "change" if instance.pk else "add"
    namespaces = namespaces_allowed(user, model, action)
    if namespaces == []:
        raise PermissionDenied(f"You may not {action} {model._meta.verbose_name}s in any project.")
    data = {"name": name, "namespace": namespace, "source_provider": getattr(source, "pk", source) or "",
            "destination_provider": getattr(target, "pk", target) or ""}
    form = FORMS[kind](data, instance=instance, user=user, namespaces=namespaces, pairs=pairs)
    if not form.is_valid():
        raise MapInvalid(form_errors(form))
    with transaction.atomic():
        obj = form.save()
        if not model.objects.restrict(user, action).filter(pk=obj.pk).exists():
            raise PermissionDenied(f"You may not save {model._meta.verbose_name}s in project {obj.namespace}.")
        Namespace.objects.get_or_create(name=obj.namespace)
    return obj


def free_name(model, namespace: str, base: str) -> str:
    """base, or base-2, base-3…: a name no map of this kind has in the namespace yet."""
    taken = set(model.objects.filter(namespace=namespace, name__startswith=base).values_list("name", flat=True))
    if base not in taken:
        return base
    return next(f"{base}-{n}" for n in range(2, len(taken) + 3) if f"{base}-{n}" not in taken)

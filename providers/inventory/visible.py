"""What of a provider's inventory a user may see, or use in a plan or a map: the one way pages,
the inventory API, the map editor and the plan wizard read a provider's objects for a user.

Most sources' objects belong to the provider as a whole: whoever may see the provider sees all
of them. A cluster's are different: its VMs, NetworkAttachmentDefinitions and namespaces live in
namespaces that belong to teams (the adapter's `namespaced_kinds`). Of those a user sees the
ones in namespaces where they hold a role ("view") and may use those where they are an editor
("use") — the same rule as for mtvweb's own objects (mtvweb.access). What belongs to the whole
cluster (storage classes), and the networks every namespace may attach to (NADs in `default`),
stay visible to everyone who sees the provider. Cluster admins see
everything; `user=None` is for code that acts for nobody in particular (the engine, the plan
status loop, validation) and reads everything.

A namespaced object's path starts with its namespace: "/team-a" for the namespace itself,
"/team-a/vm-1" for what lives in it.
"""

from __future__ import annotations

from django.db.models import Count, Q

from mtvweb.access import namespaces_for
from providers.adapters import adapter_class
from providers.models import InventoryObject, VirtualMachine


def inventory_namespaces(user, provider, model, action: str = "view") -> list[str] | None:
    """The namespaces of the provider's cluster whose objects the user may `action`; None: all
    (a cluster admin, nobody in particular, or a provider whose objects are not namespaced)."""
    if user is None or not adapter_class(provider.type).namespaced_kinds:
        return None
    if not (user.is_authenticated and user.is_active):
        return []
    if user.is_superuser:
        return None
    return sorted(namespaces_for(user, model, action).values_list("namespace", flat=True))


def in_namespaces(names: list[str]) -> Q:
    """Rows whose path puts them in one of the namespaces (nothing when there are none)."""
    inside = Q(pk__in=[])
    for name in names:
        inside |= Q(path=f"/{name}") | Q(path__startswith=f"/{name}/")
    return inside


def visible_inventory(user, provider, model, action: str = "view"):
    """The provider's rows of `model` (VirtualMachine or InventoryObject) that the user may
    `action` ("view" or "use"), as a queryset to filter further."""
    rows = model.objects.filter(provider=provider)
    names = inventory_namespaces(user, provider, model, action)
    if names is None:
        return rows
    adapter = adapter_class(provider.type)
    namespaced = adapter.namespaced_kinds
    if not hasattr(model, "kind"):  # VirtualMachine: every row is a VM
        return rows.filter(in_namespaces(names)) if "vm" in namespaced else rows
    shared = Q(kind="network") & in_namespaces(list(adapter.shared_network_namespaces))
    return rows.filter(~Q(kind__in=sorted(namespaced)) | in_namespaces(names) | shared)


def visible_counts(user, provider) -> dict[str, int]:
    """How many of each kind the user sees: the provider's stored counts, or, for a cluster whose
    objects live in teams' namespaces, counted over what the user may see (a count is a leak too)."""
    if inventory_namespaces(user, provider, VirtualMachine) is None:
        return provider.counts or {}
    counts = dict(visible_inventory(user, provider, InventoryObject).values_list("kind")
                  .annotate(n=Count("pk")).order_by())
    counts["vm"] = visible_inventory(user, provider, VirtualMachine).count()
    return counts

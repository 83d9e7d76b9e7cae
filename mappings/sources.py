"""The source side of the maps: a source provider's networks and storage, from its inventory.

* `source_networks(provider, user)`, `source_storages(provider, user)` — every choice the user
  may use (providers.inventory.visible; all for user=None), as `Endpoint`s (id as the inventory
  and VM records name it, name, a label that tells equal names apart).
  vSphere: networks and datastores; oVirt: networks and storage domains; OpenStack: networks
  and volume types; OVA: the networks the OVFs name and the single "dummy storage";
  OpenShift: "pod" plus its NetworkAttachmentDefinitions, and its storage classes.
* `networks_used(provider, vm_ids)`, `storages_used(provider, vm_ids)` — the ids the given
  VMs' NICs and disks use (adapter `nic_networks` / `disk_storages`), in first-seen order.
* `network_noun()` / `storage_noun(provider)` — what the source calls them, for messages
  (the adapter's `storage_nouns`).

What differs by type comes from the adapter's capabilities (providers.adapters.base): a type
that `has_pod_network` offers "pod" first; one `named_by_namespace` names its networks
(NetworkAttachmentDefinitions) "namespace/name".
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from providers.adapters import Adapter, adapter_class
from providers.inventory.visible import visible_inventory
from providers.models import InventoryObject, Provider, VirtualMachine

POD = "pod"
POD_LABEL = "Pod network"


@dataclass(frozen=True)
class Endpoint:
    id: str
    name: str
    label: str  # the name, or "name (path)" where two share a name
    path: str = ""


def storage_noun(provider: Provider | None, plural: bool = False) -> str:
    """What the provider calls its storage; "storage" while no provider is chosen."""
    singular, many = (adapter_class(provider.type) if provider else Adapter).storage_nouns
    return many if plural else singular


def network_noun(provider: Provider | None = None, plural: bool = False) -> str:
    """Every source type says "network"; the provider is taken so both nouns are asked alike."""
    return "networks" if plural else "network"


def _endpoints(provider: Provider, kind: str, user) -> list[Endpoint]:
    rows = list(visible_inventory(user, provider, InventoryObject, "use").filter(kind=kind).order_by("name", "path")
                .values_list("uid", "name", "path"))
    counts = Counter(name for _, name, _ in rows)
    return [Endpoint(uid, name, f"{name} ({path})" if counts[name] > 1 and path else name, path)
            for uid, name, path in rows]


def source_networks(provider: Provider, user=None) -> list[Endpoint]:
    adapter = adapter_class(provider.type)
    networks = _endpoints(provider, "network", user)
    if adapter.named_by_namespace:
        networks = sorted((Endpoint(e.id, e.path.strip("/"), e.path.strip("/"), e.path) for e in networks),
                          key=lambda e: e.label)
    if adapter.has_pod_network:
        networks = [Endpoint(POD, POD_LABEL, POD_LABEL), *networks]
    return networks


def source_storages(provider: Provider, user=None) -> list[Endpoint]:
    return _endpoints(provider, "storage", user)


def _used(provider: Provider, vm_ids, pick) -> list[str]:
    seen: dict[str, None] = {}
    records = VirtualMachine.objects.filter(provider=provider, uid__in=list(vm_ids)).order_by("name")
    for data in records.values_list("data", flat=True).iterator():
        for ident in pick(data):
            if ident:
                seen.setdefault(ident, None)
    return list(seen)


def networks_used(provider: Provider, vm_ids) -> list[str]:
    """Ids of the source networks the VMs' NICs are on ("pod" for a source's pod network).
    NICs connected to no network are left out: there is nothing to map for them."""
    return _used(provider, vm_ids, adapter_class(provider.type).nic_networks)


def storages_used(provider: Provider, vm_ids) -> list[str]:
    return _used(provider, vm_ids, adapter_class(provider.type).disk_storages)

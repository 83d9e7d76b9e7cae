"""Suggested rows for a new map, for the plan wizard ("build a new map pre-filled with every
network and storage the selected VMs use").

Rows only ever name what `user` may use (the NADs of their namespaces).

* `suggest_network_pairs(source, target, network_ids, namespace="", user)` — one row per source
  network: the NetworkAttachmentDefinition whose name equals or contains the network's name
  (or is contained in it), preferring NADs in `namespace` (the plan's target namespace), then in
  "default". A source's pod network (adapter `has_pod_network`) goes to the pod network; a
  source whose networks are NADs named "namespace/name" (`named_by_namespace`) maps each to
  the target's NAD of the same namespace/name when there is one. No match: the row stays unmapped
  (`pair.mapped` is False) for the user to choose.
* `suggest_storage_pairs(source, target, storage_ids)` — one row per source storage: the
  cluster's default storage class (for virtualization first), with its default access and
  volume modes. A source that is itself a cluster VMs can move to (`is_target`) has storage
  classes: each goes to the target's class of the same name when there is one. No default class: unmapped.

Get the ids with `mappings.sources.networks_used()` / `storages_used()`; save with
`mappings.saving.save_map()`.
"""

from __future__ import annotations

import re

from mappings.pairs import MULTUS, POD, NetworkPairSpec, StoragePairSpec
from mappings.sources import source_networks, source_storages
from mappings.targets import TargetNetwork, default_storage_class, target_networks, target_storage_classes
from providers.adapters import adapter_class
from providers.models import Provider

MIN_CONTAINED = 3  # shorter names match too much by containment ("a", "vm")


def normalized(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def matching_nad(network_name: str, nads: list[TargetNetwork], namespace: str = "") -> TargetNetwork | None:
    wanted = normalized(network_name)
    if not wanted:
        return None
    rank = {namespace: 0, "default": 1} if namespace else {"default": 1}

    def best(candidates):
        return min(candidates, key=lambda n: (rank.get(n.namespace, 2), n.namespace, n.name), default=None)

    exact = [n for n in nads if normalized(n.name) == wanted]
    if exact:
        return best(exact)
    contained = [n for n in nads if len(normalized(n.name)) >= MIN_CONTAINED and len(wanted) >= MIN_CONTAINED
                 and (normalized(n.name) in wanted or wanted in normalized(n.name))]
    return best(contained)


def suggest_network_pairs(source: Provider, target: Provider, network_ids, namespace: str = "",
                          user=None) -> list[NetworkPairSpec]:
    adapter = adapter_class(source.type)
    endpoints = {e.id: e for e in source_networks(source, user)}
    nads = target_networks(target, user)
    by_value = {n.value: n for n in nads}
    pairs = []
    for network_id in network_ids:
        endpoint = endpoints.get(network_id)
        name = endpoint.name if endpoint else network_id
        pair = NetworkPairSpec(network_id, source_name=name)
        if adapter.has_pod_network and network_id == POD:
            pair.destination_type = POD
        else:
            nad = by_value.get(name) if adapter.named_by_namespace else None
            nad = nad or matching_nad(name.rpartition("/")[2], nads, namespace)
            if nad is not None:
                pair.destination_type, pair.destination_namespace, pair.destination_name = MULTUS, nad.namespace, nad.name
        pairs.append(pair)
    return pairs


def suggest_storage_pairs(source: Provider, target: Provider, storage_ids, namespace: str = "",
                          user=None) -> list[StoragePairSpec]:
    """namespace (the plan's target namespace) is not used: storage classes are cluster-wide."""
    same_kind = adapter_class(source.type).is_target
    endpoints = {e.id: e for e in source_storages(source, user)}
    classes = {c.name: c for c in target_storage_classes(target)}
    default = default_storage_class(target)
    pairs = []
    for storage_id in storage_ids:
        endpoint = endpoints.get(storage_id)
        name = endpoint.name if endpoint else storage_id
        chosen = classes.get(name) if same_kind else None
        chosen = chosen or default
        pair = StoragePairSpec(storage_id, source_name=name)
        if chosen is not None:
            pair.storage_class = chosen.name
            pair.access_mode, pair.volume_mode = chosen.modes.access_mode, chosen.modes.volume_mode
        pairs.append(pair)
    return pairs

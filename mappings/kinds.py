"""The two kinds of map, network and storage, as one object each that carries everything that
differs between them; the map editor, the REST API, the manifests and the plan wizard's map
steps are each written once, for a kind.

    from mappings.kinds import KINDS, NETWORK, STORAGE, kind_of

    kind = KINDS["storage"]              # by the name URLs and the wizard's steps use
    kind_of(some_storage_map) is STORAGE
    errors = kind.validate(source, target, kind.specs_of(some_storage_map))

`str(kind)` is its name, so templates and messages may write "{{ kind }} map".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse

from mappings import rows
from mappings.api import shapes
from mappings.models import NetworkMap, NetworkPair, StorageMap, StoragePair
from mappings.pairs import (
    NetworkPairSpec,
    StoragePairSpec,
    fill_default_modes,
    validate_network_pairs,
    validate_storage_pairs,
)
from mappings.sources import (
    network_noun,
    networks_used,
    source_networks,
    source_storages,
    storage_noun,
    storages_used,
)
from mappings.suggest import suggest_network_pairs, suggest_storage_pairs


def _nothing(*args) -> None:
    return None


@dataclass(frozen=True, eq=False)
class MapKind:
    name: str  # "network" / "storage": in URLs, the wizard's step names and data, messages
    model: type[NetworkMap | StorageMap]
    pair_model: type[NetworkPair | StoragePair]
    spec: type[NetworkPairSpec | StoragePairSpec]  # one row as plain data, fields named as pair_model's
    plan_field: str  # the Plan field that refers to a map of this kind
    # Those taking a `user` answer with what that user may use (providers.inventory.visible);
    # user=None: the whole inventory.
    # (source, target, pairs, complete=True, user=None) -> {row index: {field: [messages]}} (mappings.pairs)
    validate: Callable
    # (provider, user=None) -> the source's choices, as mappings.sources.Endpoint
    sources: Callable
    # (provider, vm ids) -> ids of the sources the VMs use, in first-seen order
    used: Callable
    # (source, target, source ids, namespace="", user=None) -> pre-filled rows for a new map (mappings.suggest)
    suggest: Callable
    # (provider or None, plural=False) -> what the source calls one (or several) of them
    noun: Callable
    # (target, editor rows, user) -> the target's choices for the rows template (mappings.rows)
    target_choices: Callable
    # (API body, source, user) -> rows, from the body's "map" entries (mappings.api.shapes)
    api_specs: Callable
    # (map, rows, manifest) -> the rows in Forklift's shape, for the API or a manifest
    forklift_entries: Callable
    # What the pages say and draw.
    title: str  # over the rows
    editor_help: str  # under the map editor's heading
    wizard_help: str  # at the top of the wizard's map step
    row_template: str  # one editable row (mappings/pairs.html)
    cells_template: str  # a saved row's target cells (mappings/map.html)
    source_width: int  # the editor's source column, in % (pf-m-width-*)
    target_columns: tuple[tuple[str, int], ...]  # the editor's target column heads and widths
    # (target, pairs): what saving adds to valid rows
    fill_defaults: Callable = _nothing
    # (editor rows, target): rows whose target changed get that target's defaults
    bring_defaults: Callable = _nothing

    def __str__(self) -> str:
        return self.name

    @property
    def rows_url(self) -> str:
        """Where the map editor posts its rows to be redrawn (mappings.views.MapRowsView)."""
        return reverse(f"mappings:{self.model._meta.model_name}_rows")

    def specs_of(self, map_obj) -> list:
        """The saved rows of a map (none for a map not saved yet)."""
        if not map_obj.pk:
            return []
        return [self.spec.from_record(pair) for pair in map_obj.pairs.all()]

    def entries(self, map_obj, manifest: bool = False) -> list[dict]:
        """The map's rows in Forklift's shape: as the API answers them, or as a manifest writes them."""
        return self.forklift_entries(map_obj, self.specs_of(map_obj), manifest)


NETWORK = MapKind(
    "network", NetworkMap, NetworkPair, NetworkPairSpec, "network_map",
    validate=validate_network_pairs, sources=source_networks, used=networks_used, suggest=suggest_network_pairs,
    noun=network_noun, target_choices=rows.network_choices, api_specs=shapes.network_specs,
    forklift_entries=shapes.network_entries,
    title="Network mappings",
    editor_help="Map each source network to the pod network or a NetworkAttachmentDefinition of the target cluster "
                "(guide §4.5).",
    wizard_help="Where the NICs of the selected VMs connect in the target cluster: the pod network or a "
                "NetworkAttachmentDefinition.",
    row_template="mappings/network_row.html", cells_template="mappings/network_cells.html",
    source_width=50, target_columns=(("Target network", 45),),
)
STORAGE = MapKind(
    "storage", StorageMap, StoragePair, StoragePairSpec, "storage_map",
    validate=validate_storage_pairs, sources=source_storages, used=storages_used, suggest=suggest_storage_pairs,
    noun=storage_noun, target_choices=rows.storage_choices, api_specs=shapes.storage_specs,
    forklift_entries=shapes.storage_entries, fill_defaults=fill_default_modes, bring_defaults=rows.apply_class_defaults,
    title="Storage mappings",
    editor_help="Map each source storage to a storage class of the target cluster, with the access and volume mode "
                "its disks get (guide §4.6).",
    wizard_help="Which storage class the disks of the selected VMs get, with their access and volume modes.",
    row_template="mappings/storage_row.html", cells_template="mappings/storage_cells.html",
    source_width=25, target_columns=(("Target storage class", 30), ("Access mode", 20), ("Volume mode", 15)),
)
KINDS = {kind.name: kind for kind in (NETWORK, STORAGE)}


def kind_of(map_obj) -> MapKind:
    """The kind of a NetworkMap or StorageMap (instance or class)."""
    model = map_obj if isinstance(map_obj, type) else type(map_obj)
    return next(kind for kind in KINDS.values() if issubclass(model, kind.model))

"""The rows of a map as plain data, and the one validation every way in shares (the console's
editor and its live checks, the REST API, the plan wizard).

`NetworkPairSpec` / `StoragePairSpec` are one row each, their fields named as the pair models';
`validate_network_pairs()` / `validate_storage_pairs()` return `{row index: {field: [messages]}}`
(empty when all is well) and fill in each row's `source_name` from the inventory; given the
`user`, only what they may use counts (providers.inventory.visible: a cluster's NADs of
namespaces where they are an editor). With
`complete=False` (live checks while the user is still editing) an empty field is not reported yet.
Fields: "source", "destination" (network); "source", "storage_class", "access_mode",
"volume_mode" (storage).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from mappings.defaults import ACCESS_MODES, VOLUME_MODES
from mappings.models import NetworkPair
from mappings.sources import Endpoint, network_noun, source_networks, source_storages, storage_noun
from mappings.targets import target_networks, target_storage_classes
from providers.models import Provider

POD, MULTUS, IGNORED = NetworkPair.Type.POD.value, NetworkPair.Type.MULTUS.value, NetworkPair.Type.IGNORED.value

Errors = dict[int, dict[str, list[str]]]


class PairSpec:
    """What both kinds of row do; the subclasses are dataclasses."""

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict):
        return cls(**{k: str(data.get(k) or "") for k in cls.__dataclass_fields__})

    @classmethod
    def from_record(cls, pair):
        """The row a saved NetworkPair / StoragePair holds."""
        return cls(**{k: getattr(pair, k) for k in cls.__dataclass_fields__})


@dataclass
class NetworkPairSpec(PairSpec):
    source_id: str = ""
    destination_type: str = ""  # pod, multus or ignored; empty: not mapped yet
    destination_namespace: str = ""
    destination_name: str = ""
    source_name: str = ""

    @property
    def mapped(self) -> bool:
        return bool(self.destination_type)

    @property
    def destination(self) -> str:
        """"pod", "ignored", "namespace/name" of the NAD, or "" while unmapped."""
        if self.destination_type == MULTUS:
            return f"{self.destination_namespace}/{self.destination_name}"
        return self.destination_type

    @property
    def target_summary(self) -> str:
        """The target in one phrase, as the wizard lists a chosen map's rows."""
        return self.destination

    @classmethod
    def to(cls, source_id: str, destination: str, source_name: str = "") -> NetworkPairSpec:
        """A row from the editor's value for the target: "pod", "ignored", "namespace/name" or ""."""
        if destination in ("", POD, IGNORED):
            return cls(source_id, destination, source_name=source_name)
        namespace, _, name = destination.partition("/")
        return cls(source_id, MULTUS, namespace, name, source_name)

    @classmethod
    def from_row(cls, values: dict) -> NetworkPairSpec:
        """A row from the editor's posted fields (mappings.rows): source, destination."""
        return cls.to(values.get("source", ""), values.get("destination", ""))


@dataclass
class StoragePairSpec(PairSpec):
    source_id: str = ""
    storage_class: str = ""  # empty: not mapped yet
    access_mode: str = ""  # empty: the class's default (mappings.defaults), filled in on save
    volume_mode: str = ""
    source_name: str = ""

    @property
    def mapped(self) -> bool:
        return bool(self.storage_class)

    @property
    def target_summary(self) -> str:
        return f"{self.storage_class} ({self.access_mode or 'default'}, {self.volume_mode or 'default'})"

    @classmethod
    def from_row(cls, values: dict) -> StoragePairSpec:
        """A row from the editor's posted fields (mappings.rows): source, storage_class, access_mode,
        volume_mode."""
        return cls(values.get("source", ""), values.get("storage_class", ""), values.get("access_mode", ""),
                   values.get("volume_mode", ""))


def _add(errors: Errors, index: int, field: str, message: str) -> None:
    errors.setdefault(index, {}).setdefault(field, []).append(message)


def _check_sources(pairs, choices: list[Endpoint], source: Provider, noun: str, nouns: str, complete: bool,
                   errors: Errors) -> None:
    by_id = {e.id: e for e in choices}
    first_row: dict[str, int] = {}
    for index, pair in enumerate(pairs):
        if not pair.source_id:
            if complete:
                _add(errors, index, "source", f"Choose a source {noun}, or remove this row.")
            continue
        endpoint = by_id.get(pair.source_id)
        label = endpoint.label if endpoint else (pair.source_name or pair.source_id)
        if endpoint is None:
            _add(errors, index, "source", f"{noun.capitalize()} {label} is not in the inventory of {source.name}: "
                                          f"choose one of its {nouns} (refresh the provider if it is new).")
        else:
            pair.source_name = endpoint.name
        if pair.source_id in first_row:
            _add(errors, index, "source", f"{noun.capitalize()} {label} is already mapped in row "
                                          f"{first_row[pair.source_id] + 1}: a source has one target only; "
                                          "remove one of the two rows.")
        else:
            first_row[pair.source_id] = index


def validate_network_pairs(source: Provider, target: Provider, pairs: list[NetworkPairSpec],
                           complete: bool = True, user=None) -> Errors:
    errors: Errors = {}
    _check_sources(pairs, source_networks(source, user), source, network_noun(source), network_noun(source, True),
                   complete, errors)
    nads = {n.value for n in target_networks(target, user)}
    for index, pair in enumerate(pairs):
        if pair.destination_type == "":
            if complete:
                _add(errors, index, "destination", "Choose a target: the pod network or a "
                                                   "NetworkAttachmentDefinition.")
        elif pair.destination_type not in (POD, MULTUS, IGNORED):
            _add(errors, index, "destination", f"Destination type {pair.destination_type!r} is not valid: use "
                                               "pod, multus or ignored.")
        elif pair.destination_type == MULTUS and not (pair.destination_namespace and pair.destination_name):
            _add(errors, index, "destination", "A multus destination needs the NetworkAttachmentDefinition's "
                                               "namespace and name.")
        elif pair.destination_type == MULTUS and pair.destination not in nads:
            _add(errors, index, "destination", f"NetworkAttachmentDefinition {pair.destination} is not among those "
                                               f"you may use in the cluster of {target.name}: choose the pod network "
                                               "or one in a namespace where you are an editor (create it in the "
                                               "cluster first).")
        if pair.destination_type != MULTUS:
            pair.destination_namespace = pair.destination_name = ""
    return errors


def validate_storage_pairs(source: Provider, target: Provider, pairs: list[StoragePairSpec],
                           complete: bool = True, user=None) -> Errors:
    errors: Errors = {}
    _check_sources(pairs, source_storages(source, user), source, storage_noun(source), storage_noun(source, True),
                   complete, errors)
    classes = {c.name: c for c in target_storage_classes(target)}
    for index, pair in enumerate(pairs):
        if not pair.storage_class:
            if complete:
                _add(errors, index, "storage_class", "Choose a target storage class.")
        elif pair.storage_class not in classes:
            _add(errors, index, "storage_class", f"Storage class {pair.storage_class} does not exist in the cluster "
                                                 f"of {target.name}: choose one of its storage classes.")
        if pair.access_mode and pair.access_mode not in ACCESS_MODES:
            _add(errors, index, "access_mode", f"Access mode {pair.access_mode!r} is not valid: use "
                                               f"{', '.join(ACCESS_MODES[:-1])} or {ACCESS_MODES[-1]}.")
        if pair.volume_mode and pair.volume_mode not in VOLUME_MODES:
            _add(errors, index, "volume_mode", f"Volume mode {pair.volume_mode!r} is not valid: use "
                                               f"{' or '.join(VOLUME_MODES)}.")
    return errors


def fill_default_modes(target: Provider, pairs: list[StoragePairSpec]) -> None:
    """Empty access or volume modes become the storage class's defaults, so a saved map says
    exactly what the migration will use."""
    classes = {c.name: c for c in target_storage_classes(target)}
    for pair in pairs:
        storage_class = classes.get(pair.storage_class)
        if storage_class is not None:
            pair.access_mode = pair.access_mode or storage_class.modes.access_mode
            pair.volume_mode = pair.volume_mode or storage_class.modes.volume_mode

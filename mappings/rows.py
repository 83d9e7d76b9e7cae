"""The editor's rows as the console posts them (`pair-<key>-<field>`), and what the rows
template needs to draw them: choices from the source and target inventories, each row's
messages, the storage mode defaults.

Every change in the editor posts the whole form to the rows view, which answers with the rows
block redrawn (live validation); "add" and "remove=<key>" add or drop a row on the way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from itertools import groupby

from mappings import pairs as p
from mappings.defaults import ACCESS_MODES, VOLUME_MODES
from mappings.sources import network_noun, source_networks, source_storages, storage_noun
from mappings.targets import target_networks, target_storage_classes
from providers.models import Provider

FIELD = re.compile(r"^pair-(\d+)-(\w+)$")


@dataclass
class Row:
    key: int
    pair: p.NetworkPairSpec | p.StoragePairSpec
    # Storage rows: the class whose default modes the row shows; choosing another class
    # brings that class's defaults in (the user may still change them).
    defaults_for: str = ""
    errors: dict = field(default_factory=dict)

    @property
    def blank(self) -> bool:
        return not self.pair.source_id and not self.pair.mapped


def parse(kind: str, data) -> list[Row]:
    values: dict[int, dict[str, str]] = {}
    for name in data:
        match = FIELD.match(name)
        if match:
            values.setdefault(int(match[1]), {})[match[2]] = data.get(name, "").strip()
    rows = []
    for key, v in values.items():
        if kind == "network":
            pair = p.NetworkPairSpec.to(v.get("source", ""), v.get("destination", ""))
        else:
            pair = p.StoragePairSpec(v.get("source", ""), v.get("storage_class", ""), v.get("access_mode", ""),
                                     v.get("volume_mode", ""))
        rows.append(Row(key, pair, v.get("defaults_for", "")))
    return rows


def from_pairs(pairs) -> list[Row]:
    return [Row(key, pair, getattr(pair, "storage_class", "")) for key, pair in enumerate(pairs)]


def add_row(kind: str, rows: list[Row]) -> None:
    key = max((r.key for r in rows), default=-1) + 1
    rows.append(Row(key, p.NetworkPairSpec() if kind == "network" else p.StoragePairSpec()))


def apply_class_defaults(rows: list[Row], target: Provider) -> None:
    """A row whose storage class changed gets that class's default access and volume modes."""
    classes = {c.name: c for c in target_storage_classes(target)}
    for row in rows:
        chosen = classes.get(row.pair.storage_class)
        if chosen is not None and row.defaults_for != chosen.name:
            row.pair.access_mode, row.pair.volume_mode = chosen.modes.access_mode, chosen.modes.volume_mode
            row.defaults_for = chosen.name


def attach_errors(rows: list[Row], errors: p.Errors) -> None:
    for index, row in enumerate(rows):
        row.errors = errors.get(index, {})


def context(kind: str, source: Provider | None, target: Provider | None, rows: list[Row]) -> dict:
    """What templates/mappings/pairs.html needs."""
    ctx = {"kind": kind, "rows": rows, "source": source, "target": target, "ready": bool(source and target),
           "access_modes": ACCESS_MODES, "volume_modes": VOLUME_MODES,
           "noun": network_noun() if kind == "network" else (storage_noun(source) if source else "storage")}
    for row in rows:  # until the providers are known, keep every value as it is
        row.source_missing = bool(row.pair.source_id)
        row.target_missing = bool(row.pair.destination if kind == "network" else row.pair.storage_class)
    if source is None or target is None:
        ctx["not_ready"] = "Choose the source and target providers first: the rows list their " + (
            "networks." if kind == "network" else "storage.")
        return ctx
    if kind == "network":
        sources, noun, nouns = source_networks(source), network_noun(), network_noun(True)
        nads = target_networks(target)
        ctx["nad_groups"] = [(ns, [n.value for n in group]) for ns, group in groupby(nads, key=lambda n: n.namespace)]
        known_targets = {"", p.POD, p.IGNORED} | {n.value for n in nads}
        for row in rows:
            row.target_missing = row.pair.destination not in known_targets
    else:
        sources, noun, nouns = source_storages(source), storage_noun(source), storage_noun(source, True)
        classes = target_storage_classes(target)
        ctx["classes"] = classes
        by_name = {c.name: c for c in classes}
        for row in rows:
            row.target_missing = bool(row.pair.storage_class) and row.pair.storage_class not in by_name
            chosen = by_name.get(row.pair.storage_class)
            row.modes_note = chosen.modes.explanation if chosen else ""
        if not classes:
            ctx["target_empty"] = (f"The cluster of {target.name} has no storage classes in its inventory yet "
                                   f"({target.get_status_display()}).")
    known_sources = {e.id for e in sources}
    for row in rows:
        row.source_missing = bool(row.pair.source_id) and row.pair.source_id not in known_sources
    ctx.update(sources=sources, noun=noun, nouns=nouns)
    if not sources:
        ctx["source_empty"] = (f"The inventory of {source.name} has no {nouns} yet ({source.get_status_display()}"
                               f"{': ' + source.status_message if source.status_message else ''}).")
    return ctx

"""The editor's rows as the console posts them (`pair-<key>-<field>`), and what the rows
template needs to draw them: choices from the source and target inventories, each row's
messages, the storage mode defaults.

Every change in the editor posts the whole form to the rows view, which answers with the rows
block redrawn (live validation); "add" and "remove=<key>" add or drop a row on the way. The
plan wizard's map steps post the same rows: both take them through `edit_rows()`.

`kind` is the map's mappings.kinds.MapKind (network or storage).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from itertools import groupby

from mappings import pairs as p
from mappings.defaults import ACCESS_MODES, VOLUME_MODES
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


def parse(kind, data) -> list[Row]:
    values: dict[int, dict[str, str]] = {}
    for name in data:
        match = FIELD.match(name)
        if match:
            values.setdefault(int(match[1]), {})[match[2]] = data.get(name, "").strip()
    return [Row(key, kind.spec.from_row(v), v.get("defaults_for", "")) for key, v in values.items()]


def from_pairs(pairs, defaults_for=()) -> list[Row]:
    """Rows for saved or kept specs; defaults_for: what the rows showed last (else the row's class)."""
    return [Row(key, pair, defaults_for[key] if key < len(defaults_for) else getattr(pair, "storage_class", ""))
            for key, pair in enumerate(pairs)]


def add_row(kind, rows: list[Row]) -> None:
    key = max((r.key for r in rows), default=-1) + 1
    rows.append(Row(key, kind.spec()))


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


def check(kind, rows: list[Row], source: Provider, target: Provider, user) -> None:
    """The live checks (an empty field is not reported yet) as each row's messages; fills in the
    rows' source names from the inventory."""
    attach_errors(rows, kind.validate(source, target, [r.pair for r in rows], complete=False, user=user))


def edit_rows(kind, post, source: Provider | None, target: Provider | None, user) -> list[Row]:
    """The posted rows with "add" or "remove=<key>" applied; once both providers are known, with
    the target's defaults brought in for a newly chosen target and the live checks attached."""
    rows = parse(kind, post)
    if "add" in post:
        add_row(kind, rows)
    if "remove" in post:
        rows = [r for r in rows if str(r.key) != post["remove"]]
    if source is not None and target is not None:
        kind.bring_defaults(rows, target)
        check(kind, rows, source, target, user)
    return rows


def network_choices(target: Provider, rows: list[Row], user) -> dict:
    nads = target_networks(target, user)
    known_targets = {"", p.POD, p.IGNORED} | {n.value for n in nads}
    for row in rows:
        row.target_missing = row.pair.destination not in known_targets
    return {"nad_groups": [(ns, [n.value for n in group]) for ns, group in groupby(nads, key=lambda n: n.namespace)]}


def storage_choices(target: Provider, rows: list[Row], user) -> dict:
    classes = target_storage_classes(target)
    by_name = {c.name: c for c in classes}
    for row in rows:
        row.target_missing = bool(row.pair.storage_class) and row.pair.storage_class not in by_name
        chosen = by_name.get(row.pair.storage_class)
        row.modes_note = chosen.modes.explanation if chosen else ""
    choices = {"classes": classes}
    if not classes:
        choices["target_empty"] = (f"The cluster of {target.name} has no storage classes in its inventory yet "
                                   f"({target.get_status_display()}).")
    return choices


def context(kind, source: Provider | None, target: Provider | None, rows: list[Row], user) -> dict:
    """What templates/mappings/pairs.html needs: the choices `user` may use."""
    ctx = {"kind": kind, "rows": rows, "source": source, "target": target, "ready": bool(source and target),
           "access_modes": ACCESS_MODES, "volume_modes": VOLUME_MODES, "noun": kind.noun(source)}
    for row in rows:  # until the providers are known, keep every value as it is
        row.source_missing = bool(row.pair.source_id)
        row.target_missing = row.pair.mapped
    if source is None or target is None:
        ctx["not_ready"] = f"Choose the source and target providers first: the rows list their {kind.noun(None, True)}."
        return ctx
    sources, noun, nouns = kind.sources(source, user), kind.noun(source), kind.noun(source, True)
    ctx.update(kind.target_choices(target, rows, user))
    known_sources = {e.id for e in sources}
    for row in rows:
        row.source_missing = bool(row.pair.source_id) and row.pair.source_id not in known_sources
    ctx.update(sources=sources, noun=noun, nouns=nouns)
    if not sources:
        ctx["source_empty"] = (f"The inventory of {source.name} has no {nouns} yet ({source.get_status_display()}"
                               f"{': ' + source.status_message if source.status_message else ''}).")
    return ctx

"""A subset of the engine's search language: `name=web*`, `status=up and cluster=Default`,
`type=61 or type=32`, `severity>=warning`, `storage.name=nfs-data`.

Terms are joined by `and` (binding tighter) and `or`; values may use `*` wildcards;
comparison is case-insensitive unless the request says `case_sensitive=true`.
A bare word means `name=<word>`.
"""

from __future__ import annotations

import fnmatch
import re

_TERM = re.compile(r"^\s*([\w.]+)\s*(!=|>=|<=|=|>|<)\s*(.*?)\s*$")
_SEVERITY = {"normal": 0, "warning": 1, "error": 2, "alert": 3}


class SearchError(ValueError):
    pass


def _name_of(store, reference) -> str | None:
    if not isinstance(reference, dict):
        return None
    entity = store.resolve(reference)
    return entity.get("name") if entity else None


def _datacenter_names(store, kind: str, entity: dict) -> list:
    if kind == "datacenters":
        return [entity.get("name")]
    if kind == "storagedomains":
        return [_name_of(store, dc) for dc in entity.get("data_centers") or []]
    cluster = entity if kind == "clusters" else store.resolve(entity["cluster"]) if entity.get("cluster") else None
    return [_name_of(store, cluster.get("data_center"))] if cluster else []


def _values(store, kind: str, entity: dict, field: str) -> list:
    """The values a search field means for an entity of a top-level collection."""
    field = field.lower()
    if kind == "events":
        if field == "type":
            return [entity.get("code")]
        if field in ("vm.name", "vm"):
            return [_name_of(store, entity.get("vm"))]
        if field in ("host.name", "host"):
            return [_name_of(store, entity.get("host"))]
    if field in ("cluster", "cluster.name"):
        return [_name_of(store, entity.get("cluster"))]
    if field in ("host", "host.name"):
        return [_name_of(store, entity.get("host"))]
    if field in ("datacenter", "datacenter.name"):
        return _datacenter_names(store, kind, entity)
    if field in ("storage", "storage.name"):
        if kind == "datacenters":
            return [sd["name"] for _, sd in store.collection(f"datacenters/{entity['id']}/storagedomains") or []]
        return [_name_of(store, sd) for sd in entity.get("storage_domains") or []]
    if field == "hw_id":
        return [(entity.get("hardware_information") or {}).get("uuid")]
    if field == "network" and kind == "vnicprofiles":
        return [_name_of(store, entity.get("network"))]
    value = entity.get(field)
    if isinstance(value, (dict, list)):
        return []
    return [value]


def _compare(actual, op: str, expected: str, case_sensitive: bool, field: str) -> bool:
    if actual is None:
        return op == "!=" and expected != ""
    if field == "severity":
        a, e = _SEVERITY.get(str(actual), -1), _SEVERITY.get(expected.lower(), -1)
    elif isinstance(actual, bool):
        a, e = str(actual).lower(), expected.lower()
    elif isinstance(actual, (int, float)) and re.fullmatch(r"-?\d+(\.\d+)?", expected):
        a, e = actual, float(expected)
    else:
        a, e = str(actual), expected
        if not case_sensitive:
            a, e = a.lower(), e.lower()
    if op in ("=", "!="):
        equal = fnmatch.fnmatchcase(a, e) if isinstance(a, str) and "*" in e else a == e
        return equal if op == "=" else not equal
    if isinstance(a, str) != isinstance(e, str):
        return False
    return {">": a > e, "<": a < e, ">=": a >= e, "<=": a <= e}[op]


def matcher(store, kind: str, query: str | None, case_sensitive: bool = False):
    """A predicate over entities of collection `kind` for a search query (None: everything)."""
    if not query or not query.strip():
        return lambda entity: True
    alternatives = []
    for alternative in re.split(r"\s+or\s+", query.strip(), flags=re.IGNORECASE):
        terms = []
        for term in re.split(r"\s+and\s+", alternative, flags=re.IGNORECASE):
            match = _TERM.match(term)
            if match:
                field, op, value = match.groups()
            elif re.fullmatch(r"[\w.*-]+", term.strip()):
                field, op, value = "name", "=", term.strip()
            else:
                raise SearchError(f"Cannot parse search term '{term}'")
            terms.append((field, op, value.strip('"')))
        alternatives.append(terms)

    def predicate(entity: dict) -> bool:
        return any(
            all(
                any(_compare(v, op, value, case_sensitive, field.lower())
                    for v in _values(store, kind, entity, field) or [None])
                for field, op, value in terms
            )
            for terms in alternatives
        )

    return predicate

"""JSON out, for clients that send `Accept: application/json` (as Forklift's oVirt client does).

The engine's JSON mirrors its XML: scalars are strings (dates are epoch milliseconds),
references are `{"href", "id"}`, a list is `{"<plural>": {"<singular>": [...]}}`, links are
`"link": [{"href", "rel"}]`, and a collection is `{"<tag>": [...]}` (`{}` when empty).
"""

from __future__ import annotations

import datetime
import json

from lab.ovirt.schema import ACTIONS, API_PREFIX, LINKS, TAG, attribute_for_rel, pattern_of, singular

DATE_FIELDS = {"time", "date", "creation_time", "start_time", "stop_time"}


def _scalar(key: str, value):
    if isinstance(value, bool):
        return "true" if value else "false"
    if key in DATE_FIELDS and isinstance(value, str):
        return int(datetime.datetime.fromisoformat(value).timestamp() * 1000)
    return str(value)


class JsonWriter:
    def __init__(self, store):
        self.store = store

    def collection(self, tag: str, items, follow: dict | None = None) -> str:
        entities = [self.entity(path, entity, follow or {}) for path, entity in items]
        return json.dumps({tag: entities} if entities else {})

    def document(self, path: str, entity: dict, follow: dict | None = None) -> str:
        return json.dumps(self.entity(path, entity, follow or {}))

    def entity(self, path: str, entity: dict, follow: dict) -> dict:
        pattern = pattern_of(path)
        href = f"{API_PREFIX}/{path}"
        result: dict = {"href": href, "id": str(entity["id"])}
        if ACTIONS.get(pattern):
            result["actions"] = {"link": [{"href": f"{href}/{a}", "rel": a} for a in ACTIONS[pattern]]}
        for key, value in entity.items():
            if key != "id" and not key.startswith("_") and value is not None:
                result[key] = self.value(key, value, follow.get(key))
        links = []
        for rel in LINKS.get(pattern, []):
            attribute = attribute_for_rel(rel)
            if attribute in follow:
                item_tag = TAG.get(f"{pattern}/{rel}", singular(attribute))
                items = [self.entity(p, e, follow[attribute]) for p, e in self.store.collection(f"{path}/{rel}") or []]
                result[attribute] = {item_tag: items} if items else {}
            links.append({"href": f"{href}/{rel}", "rel": rel})
        if links:
            result["link"] = links
        return result

    def value(self, key: str, value, follow: dict | None = None):
        if isinstance(value, dict):
            if "@" in value:
                path = f"{value['@']}/{value['id']}"
                target = self.store.resolve(value) if follow is not None else None
                if target is not None:
                    return self.entity(path, target, follow)
                return {"href": f"{API_PREFIX}/{path}", "id": str(value["id"])}
            return {k: self.value(k, v) for k, v in value.items() if v is not None}
        if isinstance(value, list):
            item_key = singular(key)
            return {item_key: [self.value(item_key, item, follow) for item in value]} if value else {}
        return _scalar(key, value)


def fault(reason: str, detail: str) -> str:
    return json.dumps({"reason": reason, "detail": detail})


def action_result(status: str = "complete") -> str:
    return json.dumps({"status": status})

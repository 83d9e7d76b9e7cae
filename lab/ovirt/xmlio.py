"""XML in and out, the way the engine writes it and ovirtsdk4 reads it.

Entities are plain dicts. A value `{"@": "clusters", "id": X}` is a reference: it is
written `<cluster href="/ovirt-engine/api/clusters/X" id="X"/>`, or, when the request
asked to `follow` it, as the whole referenced entity. Lists are written as a wrapper
element holding one element per item (`custom_properties` -> `custom_property`).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from xml.sax.saxutils import escape, quoteattr

from lab.ovirt.schema import ACTIONS, API_PREFIX, LINKS, TAG, attribute_for_rel, pattern_of, plural, singular


def parse_follow(text: str | None) -> dict:
    """`disk_attachments.disk,nics` -> {"disk_attachments": {"disk": {}}, "nics": {}}."""
    tree: dict = {}
    for item in (text or "").split(","):
        node = tree
        for part in filter(None, item.strip().split(".")):
            node = node.setdefault(part, {})
    return tree


def _scalar(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return escape(str(value))


class Writer:
    """Writes entities of a store (anything with `resolve(ref)` and `collection(path)`)."""

    def __init__(self, store):
        self.store = store
        self.out: list[str] = []

    def text(self) -> str:
        return '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' + "".join(self.out)

    def collection(self, tag: str, items, follow: dict | None = None) -> Writer:
        self.out.append(f"<{plural(tag)}>")
        for path, entity in items:
            self.entity(path, entity, tag, follow or {})
        self.out.append(f"</{plural(tag)}>")
        return self

    def entity(self, path: str, entity: dict, tag: str | None = None, follow: dict | None = None) -> Writer:
        follow = follow or {}
        pattern = pattern_of(path)
        tag = tag or TAG[pattern]
        href = f"{API_PREFIX}/{path}"
        self.out.append(f"<{tag} href={quoteattr(href)} id={quoteattr(str(entity['id']))}>")
        actions = ACTIONS.get(pattern)
        if actions:
            self.out.append("<actions>")
            self.out.extend(f'<link href="{href}/{a}" rel="{a}"/>' for a in actions)
            self.out.append("</actions>")
        for key, value in entity.items():
            if key != "id" and not key.startswith("_"):
                self.value(key, value, follow.get(key))
        for rel in LINKS.get(pattern, []):
            attribute = attribute_for_rel(rel)
            if attribute in follow:
                items = self.store.collection(f"{path}/{rel}") or []
                item_tag = TAG.get(f"{pattern}/{rel}", attribute[:-1])
                self.out.append(f"<{attribute}>")
                for item_path, item in items:
                    self.entity(item_path, item, item_tag, follow[attribute])
                self.out.append(f"</{attribute}>")
            self.out.append(f'<link href="{href}/{rel}" rel="{rel}"/>')
        self.out.append(f"</{tag}>")
        return self

    def value(self, key: str, value, follow: dict | None = None) -> None:
        if value is None:
            return
        if isinstance(value, dict):
            if "@" in value:
                self.reference(key, value, follow)
                return
            attrs = f" id={quoteattr(str(value['id']))}" if "id" in value else ""
            if set(value) == {"id"}:
                self.out.append(f"<{key}{attrs}/>")  # the engine writes id-only links as empty elements
                return
            self.out.append(f"<{key}{attrs}>")
            for k, v in value.items():
                if k != "id":
                    self.value(k, v)
            self.out.append(f"</{key}>")
        elif isinstance(value, list):
            item_key = singular(key)
            self.out.append(f"<{key}>")
            for item in value:
                self.value(item_key, item, follow)
            self.out.append(f"</{key}>")
        else:
            self.out.append(f"<{key}>{_scalar(value)}</{key}>")

    def reference(self, key: str, ref: dict, follow: dict | None) -> None:
        path = f"{ref['@']}/{ref['id']}"
        if follow is not None:
            entity = self.store.resolve(ref)
            if entity is not None:
                self.entity(path, entity, key, follow)
                return
        self.out.append(f"<{key} href={quoteattr(f'{API_PREFIX}/{path}')} id={quoteattr(str(ref['id']))}/>")


def fault(reason: str, detail: str) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f"<fault><detail>{escape(detail)}</detail><reason>{escape(reason)}</reason></fault>"
    )


def action_result(status: str = "complete", **extra) -> str:
    writer = Writer(None)
    writer.out.append("<action>")
    for key, value in extra.items():
        writer.value(key, value)
    writer.out.append(f"<status>{status}</status></action>")
    return writer.text()


def _element_to_value(element: ET.Element):
    children = list(element)
    if not children:
        if element.attrib.get("id") is not None:
            return {"id": element.attrib["id"]}
        return (element.text or "").strip()
    tags = {child.tag for child in children}
    if len(tags) == 1 and singular(element.tag) == children[0].tag and element.tag != children[0].tag:
        return [_element_to_value(child) for child in children]
    result = {}
    if element.attrib.get("id") is not None:
        result["id"] = element.attrib["id"]
    for child in children:
        result[child.tag] = _element_to_value(child)
    return result


def parse_body(body: bytes) -> tuple[str, dict]:
    """The request body the SDK sent -> (root tag, nested dict; leaves are strings, `{"id": X}` refs)."""
    if not body.strip():
        return "", {}
    root = ET.fromstring(body)
    value = _element_to_value(root)
    return root.tag, value if isinstance(value, dict) else {}

"""The maps ask the adapter's capabilities and the map kind object (mappings.kinds), never the
provider type or a kind's name: a new source type needs no change in mappings/ (issue 12)."""

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PROVIDER_TYPES = {"vsphere", "ovirt", "openstack", "ova", "openshift"}
KIND_NAMES = {"network", "storage", "networkmap", "storagemap"}
MAP_TEMPLATES = [*sorted((ROOT / "templates/mappings").glob("*.html")), ROOT / "templates/plans/wizard/step_map.html"]


def compared_values(tree):
    """Each value a comparison, or a type= / type__in= query argument, tests against."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Compare):
            yield node.lineno, [node.left, *node.comparators]
        elif isinstance(node, ast.keyword) and node.arg in ("type", "type__in"):
            yield node.value.lineno, [node.value]


def switch(value) -> bool:
    text = ast.unparse(value)
    return ((isinstance(value, ast.Constant) and value.value in PROVIDER_TYPES | KIND_NAMES)
            or text.startswith("Provider.Type") or "model_name" in text or text in ("NetworkMap", "StorageMap"))


def test_no_provider_type_or_kind_name_is_tested_in_mappings():
    found = []
    for path in sorted((ROOT / "mappings").rglob("*.py")):
        if "migrations" in path.parts:
            continue
        for line, values in compared_values(ast.parse(path.read_text())):
            found += [f"{path.relative_to(ROOT)}:{line}: {ast.unparse(v)}" for v in values if switch(v)]
    assert found == []


def test_the_map_templates_ask_the_kind_object_instead_of_its_name():
    found = [f"{path.relative_to(ROOT)}: {match}" for path in MAP_TEMPLATES
             for match in re.findall(r"{%\s*(?:el)?if[^%]*\bkind\s*[!=]=[^%]*%}", path.read_text())]
    assert found == []

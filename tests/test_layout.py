"""The house's rules that a reader cannot see from one file: a new source type is a new adapter
package (providers/adapters/<type>/) and nothing else, so no other module decides anything by a
provider's type — not in a comparison, a query filter, a table keyed by type, nor a template's
{% if %}. Capabilities on the adapter say what differs (providers/adapters/base.py)."""

import ast
import re
from pathlib import Path

import pytest

from providers.models import Provider

ROOT = Path(__file__).resolve().parents[1]
PRODUCT = ["mtvweb", "providers", "mappings", "plans"]
TYPES = set(Provider.Type.values)
TYPE_MEMBERS = {member.name for member in Provider.Type}
# Where naming a type is the point: the list of types itself. Keep this list short; empty is best.
ALLOWED = {
    ("providers/models/provider.py", "the Provider.Type choices: the one list of types"),
    ("providers/adapters/__init__.py", "the registry: each type's adapter class"),
    ("mtvweb/management/commands/demo_setup.py", "the lab's parts, named after the sources they stand for"),
}
TEMPLATE_TEST = re.compile(r"{%\s*(?:el)?if\b[^%]*['\"](" + "|".join(sorted(TYPES)) + r")['\"][^%]*%}")


def adapter_package(path: Path) -> bool:
    parts = path.relative_to(ROOT).parts
    return parts[:2] == ("providers", "adapters") and len(parts) > 3


def product_modules():
    for top in PRODUCT:
        for path in sorted((ROOT / top).rglob("*.py")):
            if "migrations" in path.parts or adapter_package(path):
                continue
            yield path


def names_a_type(node) -> bool:
    if isinstance(node, ast.Constant):
        return node.value in TYPES
    if isinstance(node, ast.Attribute):  # Provider.Type.VSPHERE
        return node.attr in TYPE_MEMBERS and isinstance(node.value, ast.Attribute) and node.value.attr == "Type"
    if isinstance(node, ast.Tuple | ast.List | ast.Set):
        return any(names_a_type(e) for e in node.elts)
    return False


def type_decisions(tree) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Compare) and any(names_a_type(o) for o in [node.left, *node.comparators]):
            found.append((node.lineno, "compares with a provider type"))
        elif isinstance(node, ast.Call):
            for keyword in node.keywords:
                if keyword.arg in ("type", "type__in", "provider__type", "provider_type") and names_a_type(
                        keyword.value):
                    found.append((node.lineno, f"filters on {keyword.arg}"))
        elif isinstance(node, ast.Dict) and any(k is not None and names_a_type(k) for k in node.keys):
            found.append((node.lineno, "a table keyed by provider type"))
        elif isinstance(node, ast.match_case) and names_a_type(getattr(node.pattern, "value", None)):
            found.append((node.pattern.lineno, "a case per provider type"))
    return found


def test_no_module_outside_an_adapter_decides_by_provider_type():
    allowed = {path for path, _ in ALLOWED}
    offenders = []
    for path in product_modules():
        relative = str(path.relative_to(ROOT))
        if relative in allowed:
            continue
        for line, what in type_decisions(ast.parse(path.read_text(), relative)):
            offenders.append(f"{relative}:{line}: {what}")
    assert offenders == [], "ask the adapter for a capability instead:\n" + "\n".join(offenders)


def test_no_template_decides_by_provider_type():
    offenders = [f"{path.relative_to(ROOT)}: {match[0]}" for path in sorted((ROOT / "templates").rglob("*.html"))
                 for match in TEMPLATE_TEST.finditer(path.read_text())]
    assert offenders == []


@pytest.mark.parametrize("source,expected", [
    ('if provider.type == "vsphere": pass', 1),
    ("x = provider.type in (Provider.Type.OVIRT, Provider.Type.VSPHERE)", 1),
    ('Provider.objects.filter(type=Provider.Type.OPENSHIFT)', 1),
    ('NOUNS = {"ova": "storage"}', 1),
    ('match kind:\n    case "openstack":\n        pass', 1),
    ('if adapter.is_target and kind == "network": pass', 0),
])
def test_the_scan_sees_each_way_of_deciding_by_type(source, expected):
    assert len(type_decisions(ast.parse(source))) == expected

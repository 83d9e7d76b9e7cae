"""The Rego modules of each provider type's package: defaults from disk plus custom rules."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from providers.adapters import ADAPTERS, adapter_class

POLICIES = Path(__file__).with_name("policies")
PREFIX = "io.konveyor.forklift"


@cache
def packages() -> dict[str, str]:
    """Provider type → the last part of its Rego package (each adapter's `policy_package`)."""
    return {provider_type: adapter_class(provider_type).policy_package for provider_type in ADAPTERS}


def package_name(provider_type: str) -> str:
    return f"{PREFIX}.{packages()[provider_type]}"


def data_path(provider_type: str, rule: str) -> str:
    """`data.io.konveyor.forklift.vmware.concerns` as a path: io/konveyor/forklift/vmware/concerns."""
    return "/".join(package_name(provider_type).split(".") + [rule])


@cache
def default_modules(provider_type: str) -> dict[str, str]:
    """The default rules of a package (file name → source), tests excluded."""
    directory = POLICIES / packages()[provider_type]
    if not directory.is_dir():
        return {}
    return {f"{packages()[provider_type]}/{p.name}": p.read_text() for p in sorted(directory.glob("*.rego"))
            if not p.name.endswith("_test.rego")}


def default_rules_version(provider_type: str) -> int:
    """The version rules_version.rego declares (the custom rules' changes are added to it)."""
    import re

    source = default_modules(provider_type).get(f"{packages()[provider_type]}/rules_version.rego", "")
    match = re.search(r'"rules_version"\s*:\s*(\d+)', source)
    return int(match.group(1)) if match else 1


def has_rules(provider_type: str) -> bool:
    from providers.models import ValidationRule

    defaults = [name for name in default_modules(provider_type) if not name.endswith("/rules_version.rego")]
    return bool(defaults) or ValidationRule.objects.filter(provider_type=provider_type, enabled=True).exists()


def rules_version(provider_type: str) -> int:
    """The version of a type's rules: its rules_version.rego plus every change to its custom rules."""
    from providers.models import RuleSet

    changes = RuleSet.objects.filter(provider_type=provider_type).values_list("changes", flat=True).first() or 0
    return default_rules_version(provider_type) + changes


def modules(provider_type: str) -> dict[str, str]:
    """Everything the engine loads for a type: the defaults, the enabled custom rules, and a
    rules_version.rego that carries the effective version (so OPA serves it at the guide's path)."""
    from providers.models import ValidationRule

    suffix = packages()[provider_type]
    result = dict(default_modules(provider_type))
    result[f"{suffix}/rules_version.rego"] = (
        f"package {package_name(provider_type)}\n\nrules_version := {{\"rules_version\": {rules_version(provider_type)}}}\n"
    )
    for rule in ValidationRule.objects.filter(provider_type=provider_type, enabled=True).order_by("name"):
        result[f"custom/{suffix}/{rule.name}.rego"] = rule.source
    return result

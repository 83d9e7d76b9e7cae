"""What a custom rule must pass before it is accepted (guide §6.2.3).

It must parse as Rego v1 (OPA 1.x refuses the old syntax with its own message; rego-cpp would
evaluate some v0 rules wrongly without a word), sit in the package of its provider type,
leave `rules_version` to mtvweb, compile together with the default rules (a conflicting
`default` is refused here, where Forklift's validation service would fail to start), and
evaluate on the inventory's own VMs without a conflict. It may use no built-in that reaches
beyond the record it is given (providers/validation/opa.py: no http.send, net.*, opa.runtime…),
and OPA runs with an empty environment.
"""

from __future__ import annotations

import json
import re
import tempfile
from pathlib import Path

from django.conf import settings

from providers.validation import opa
from providers.validation.rules import modules, package_name, packages

PACKAGE_LINE = re.compile(r"^\s*package\s+([\w.]+)", re.MULTILINE)
UNDEFINED = re.compile(r"undefined function ([\w.]+)")


class RuleRejected(Exception):
    pass


def opa_binary() -> str:
    path = settings.MTVWEB_OPA_BINARY
    if not Path(path).exists():
        raise RuleRejected(f"Rules cannot be checked: the OPA binary is missing at {path} "
                           "(scripts/demo and scripts/test build it; set MTVWEB_OPA_BINARY).")
    return path


def _write(directory: Path, modules: dict[str, str]) -> list[Path]:
    paths = []
    for name, source in modules.items():
        path = directory / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(source)
        paths.append(path)
    return paths


def _opa_errors(output: str, rule_file: Path) -> str:
    try:
        errors = json.loads(output).get("errors", [])
    except ValueError:
        return output.strip()
    messages = []
    for error in errors:
        location = error.get("location") or {}
        where = f"line {location['row']}: " if location.get("file", "").endswith(rule_file.name) else ""
        messages.append(f"{where}{error.get('message', '')}")
    return "; ".join(messages)


def check_rule(provider_type: str, name: str, source: str, sample_inputs: list[dict] = ()) -> None:
    """Raise RuleRejected with a message saying what is wrong; return when the rule is fine.
    It is compiled and tried with everything else of its package: the defaults and the other
    custom rules (a rule being replaced is left out)."""
    if not re.fullmatch(r"[a-z0-9][a-z0-9_-]*", name):
        raise RuleRejected("Name the rule with lower-case letters, digits, '-' and '_' (it becomes a file name).")
    found = PACKAGE_LINE.search(source)
    expected = package_name(provider_type)
    if not found:
        raise RuleRejected(f"The rule has no package line: start it with `package {expected}`.")
    if found.group(1) != expected:
        raise RuleRejected(f"A {provider_type} rule belongs to package {expected}, not {found.group(1)}.")
    if re.search(r"^\s*rules_version\b", source, re.MULTILINE):
        raise RuleRejected("Leave rules_version out: mtvweb raises it by itself whenever a rule changes.")
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        rule_file = directory / "custom" / f"{name}.rego"
        rule_file.parent.mkdir()
        rule_file.write_text(source)
        current = {n: src for n, src in modules(provider_type).items() if not n.endswith(f"/{name}.rego")}
        others = _write(directory, current)
        binary = opa_binary()
        result = opa.run(binary, ["check", "--format", "json", "--capabilities", opa.capabilities_file(binary),
                                  rule_file, *others])
        if result.returncode != 0:
            message = _opa_errors(result.stdout or result.stderr, rule_file)
            if found := [name for name in UNDEFINED.findall(message) if opa.denied(name)]:
                raise RuleRejected(
                    f"The rule calls {', '.join(sorted(set(found)))}, which custom rules may not use: a rule only "
                    "reads the VM record it is given, never the network, the environment or OPA's logs.")
            if "`if` keyword is required" in message or "`contains` keyword is required" in message:
                message += (" — this is the old Rego v0 syntax; write rules as `concerns contains flag if { … }` "
                            "(Rego v1).")
            raise RuleRejected(f"OPA refused the rule: {message}")
        for record in sample_inputs:
            _evaluate(directory, provider_type, record)


def _evaluate(directory: Path, provider_type: str, record: dict) -> None:
    input_file = directory.parent / f"{directory.name}-input.json"  # outside --data, which loads JSON too
    input_file.write_text(json.dumps(record))
    binary = opa_binary()
    result = opa.run(binary, [
        "eval", "--format", "json", "--capabilities", opa.capabilities_file(binary), "--data", directory,
        "--input", input_file, f"data.{package_name(provider_type)}"])  # every rule of the package, not only concerns
    input_file.unlink()
    if result.returncode != 0:
        raise RuleRejected(f"The rule breaks evaluation of VM {record.get('name', '?')}: "
                           f"{_opa_errors(result.stdout or result.stderr, Path('custom'))}")


__all__ = ["packages", "RuleRejected", "check_rule"]

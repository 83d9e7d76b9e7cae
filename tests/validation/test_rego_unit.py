"""The default policies' own Rego tests, run by OPA: every rule has tests, and all pass."""

import json
import subprocess
from pathlib import Path

import pytest
from django.conf import settings

from providers.validation.rules import POLICIES, packages

pytestmark = pytest.mark.smoke


def opa(*args):
    return subprocess.run([settings.MTVWEB_OPA_BINARY, *args], capture_output=True, text=True, timeout=300)


@pytest.mark.parametrize("suffix", sorted(packages().values()))
def test_every_rule_file_has_a_test_file(suffix):
    directory = POLICIES / suffix
    rules = {p.stem for p in directory.glob("*.rego") if not p.stem.endswith("_test")} - {"rules_version"}
    tests = {p.stem.removesuffix("_test") for p in directory.glob("*_test.rego")}
    assert rules, f"{suffix} has default rules"
    assert rules <= tests, f"rules without tests: {sorted(rules - tests)}"


def test_all_rego_tests_pass():
    result = opa("test", "--format", "json", str(POLICIES))
    outcomes = json.loads(result.stdout)
    failed = [f"{t['package']}.{t['name']}" for t in outcomes if t.get("fail") or t.get("error")]
    assert result.returncode == 0 and not failed, failed or result.stderr
    assert len(outcomes) > 400


def test_policies_are_strict_v1_and_formatted():
    assert opa("check", "--strict", str(POLICIES)).returncode == 0
    unformatted = opa("fmt", "--list", str(POLICIES)).stdout.split()
    assert unformatted == [], [str(Path(p).relative_to(POLICIES)) for p in unformatted]

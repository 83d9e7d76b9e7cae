"""Saving a custom rule runs OPA before the transaction, never inside it (a transaction held for
the seconds OPA takes locks a SQLite database for everyone): still all or nothing — a rule OPA
refuses is not saved and the rules version stays."""

import pytest
from django.db import connection

from providers.models import RuleSet, ValidationRule
from providers.validation import custom
from providers.validation.rules import rules_version

pytestmark = [pytest.mark.smoke, pytest.mark.django_db(transaction=True)]
SOURCE = "package io.konveyor.forklift.vmware\n\nconcerns contains flag if {\n\tfalse\n\tflag := {}\n}\n"


def test_opa_runs_outside_any_transaction_and_a_refusal_saves_nothing(monkeypatch):
    seen = []

    def check(provider_type, name, source, samples):
        seen.append(connection.in_atomic_block)
        if name == "refused":
            raise custom.RuleRejected("OPA refused the rule: line 3: unexpected end of input")

    monkeypatch.setattr(custom, "check_rule", check)
    RuleSet.objects.get_or_create(provider_type="vsphere")
    before = rules_version("vsphere")
    with pytest.raises(custom.RuleRejected):
        custom.save_rule(ValidationRule(provider_type="vsphere", name="refused", source=SOURCE))
    assert not ValidationRule.objects.exists() and rules_version("vsphere") == before
    custom.save_rule(ValidationRule(provider_type="vsphere", name="accepted", source=SOURCE))
    assert seen == [False, False]
    assert ValidationRule.objects.filter(name="accepted").exists() and rules_version("vsphere") == before + 1

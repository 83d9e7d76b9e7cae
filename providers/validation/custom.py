"""Adding, changing and removing custom rules: checked first, then the rules version goes up
so that every VM of the type is validated again (guide §6.2.3, §6.2.4)."""

from __future__ import annotations

from django.db import transaction
from django.db.models import F

from providers.inventory.records import workloads
from providers.models import Provider, RuleSet, ValidationRule, VirtualMachine
from providers.validation.check import RuleRejected, check_rule

SAMPLE_VMS = 25


def sample_inputs(provider_type: str) -> list[dict]:
    """A few real VM records of the type, to evaluate a new rule on before accepting it."""
    inputs = []
    for provider in Provider.objects.filter(type=provider_type):
        vms = list(VirtualMachine.objects.filter(provider=provider).order_by("pk")[:SAMPLE_VMS - len(inputs)])
        inputs += workloads(provider, vms)
        if len(inputs) >= SAMPLE_VMS:
            break
    return inputs


def bump(provider_type: str) -> None:
    RuleSet.objects.get_or_create(provider_type=provider_type)
    RuleSet.objects.filter(provider_type=provider_type).update(changes=F("changes") + 1)


def save_rule(rule: ValidationRule, user=None) -> ValidationRule:
    """Check, then save; raises RuleRejected with the reason, saving nothing. The check runs OPA
    (seconds, on a server or a binary) before the transaction: none is held while it runs, which on
    SQLite would lock the whole database for everyone else."""
    if rule.enabled:
        check_rule(rule.provider_type, rule.name, rule.source, sample_inputs(rule.provider_type))
    with transaction.atomic():
        rule.updated_by = user if user and user.is_authenticated else None
        rule.save()
        bump(rule.provider_type)
    return rule


@transaction.atomic
def delete_rule(rule: ValidationRule) -> None:
    rule.delete()
    bump(rule.provider_type)


__all__ = ["RuleRejected", "delete_rule", "save_rule"]

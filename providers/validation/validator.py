"""Keeps every VM's concerns current.

A VM is validated again when its record changed (revision_validated < revision) or when its
type's rules changed (policy_version < rules_version). The inventory service runs this in a
thread of its own; `validate_pending()` is what each round does.
"""

from __future__ import annotations

import json
import logging
import threading

from django.conf import settings
from django.db import close_old_connections, connection, transaction
from django.db.models import F, Q

from providers.inventory.records import workloads
from providers.models import Provider, VirtualMachine
from providers.validation.engines import OpaEngine, PolicyError, RegopyEngine
from providers.validation.rules import has_rules, modules, packages, rules_version

log = logging.getLogger(__name__)
BATCH = 2000  # VMs per round trip to the database; the engine splits them further
LEVELS = {"Critical": VirtualMachine.Concern.CRITICAL, "Warning": VirtualMachine.Concern.WARNING,
          "Information": VirtualMachine.Concern.INFORMATION}


def default_engine():
    return OpaEngine(settings.MTVWEB_OPA_URL) if settings.MTVWEB_OPA_URL else RegopyEngine()


def sort_concerns(concerns: list[dict]) -> list[dict]:
    """Highest category first, then by label."""
    return sorted(concerns, key=lambda c: (-LEVELS.get(c.get("category"), 0), c.get("label", "")))


class Validator:
    def __init__(self, engine=None):
        self.engine = engine or default_engine()
        self.versions: dict[str, int] = {}

    def ensure_loaded(self, provider_type: str) -> int:
        version = rules_version(provider_type)
        if self.versions.get(provider_type) != version:
            self.engine.load(provider_type, modules(provider_type))
            self.versions[provider_type] = version
        return version

    def stale(self, provider_type: str, version: int):
        return VirtualMachine.objects.filter(provider__type=provider_type).filter(
            Q(revision_validated__lt=F("revision")) | Q(policy_version__lt=version))

    def validate_pending(self, limit: int = 5000) -> int:
        """Validate up to `limit` VMs that need it; return how many were validated."""
        done = 0
        for provider_type in packages():
            if not has_rules(provider_type):
                continue  # no policy for this type: its VMs stay "not validated"
            try:
                version = self.ensure_loaded(provider_type)
            except PolicyError:
                # One type's broken policy must not stop the others from being validated.
                log.exception("the %s policy does not load", provider_type)
                continue
            for provider in Provider.objects.filter(type=provider_type):
                while done < limit:
                    vms = list(self.stale(provider_type, version).filter(provider=provider)
                               .order_by("pk")[:BATCH])
                    if not vms:
                        break
                    self.validate(provider, vms, version)
                    done += len(vms)
        return done

    def validate(self, provider, vms: list[VirtualMachine], version: int) -> None:
        results = self.engine.concerns(provider.type, workloads(provider, vms))
        for vm, concerns in zip(vms, results, strict=True):
            vm.concerns = sort_concerns(concerns)
            vm.concern_count = len(concerns)
            vm.concern_level = max((LEVELS.get(c.get("category"), 0) for c in concerns), default=0)
            vm.revision_validated = vm.revision  # a change since the read leaves it behind: validated again
            vm.policy_version = version
        store_results(vms)


def store_results(vms: list[VirtualMachine]) -> None:
    """One parametrized UPDATE per VM in a single executemany: Django's bulk_update builds a CASE
    expression per field and row, which costs more than the validation itself at 10,000 VMs."""
    table = VirtualMachine._meta.db_table
    sql = (f"UPDATE {table} SET concerns = %s, concern_count = %s, concern_level = %s, revision_validated = %s, "
           f"policy_version = %s WHERE id = %s")
    rows = [(json.dumps(vm.concerns), vm.concern_count, vm.concern_level, vm.revision_validated, vm.policy_version,
             vm.pk) for vm in vms]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.executemany(sql, rows)


class ValidatorThread(threading.Thread):
    def __init__(self, stop: threading.Event, poll: float = 1.0, engine=None):
        super().__init__(name="validator", daemon=True)
        self.stop, self.poll, self.engine = stop, poll, engine

    def run(self):
        validator = Validator(self.engine)
        while not self.stop.is_set():
            close_old_connections()
            try:
                if validator.validate_pending():
                    continue
            except Exception:
                log.exception("validation round failed")
            self.stop.wait(self.poll)

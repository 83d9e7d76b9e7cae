"""What a step handler works with: one MigrationVM, its plan, the source and the target."""

from __future__ import annotations

import hashlib
import json
import os
import threading
from dataclasses import asdict
from functools import cached_property

from django.conf import settings
from django.utils import timezone
from kubernetes import client

from plans.engine import specs
from plans.engine.source import DiskSource, NicSource, SourceVM, operations_for
from plans.models import MigrationVM
from providers.adapters.openshift.client import open_api
from providers.models import VirtualMachine

LOG_LINES_KEPT = 2000
_api_clients: dict[tuple, client.ApiClient] = {}
_api_lock = threading.Lock()


def target_api(provider) -> client.ApiClient:
    """One ApiClient per target cluster and credentials, shared by every VM the engine moves:
    reading a kubeconfig and opening new TLS connections at every step cost more CPU than the
    steps themselves. A changed provider or kubeconfig file gets a new one."""
    credentials = provider.credentials()
    kubeconfig = settings.MTVWEB_KUBECONFIG
    stamp = os.stat(kubeconfig).st_mtime_ns if kubeconfig and os.path.exists(kubeconfig) else 0
    digest = hashlib.sha256(json.dumps(credentials, sort_keys=True).encode()).hexdigest()
    key = (provider.pk, provider.url, digest, kubeconfig, stamp)
    with _api_lock:
        api = _api_clients.get(key)
        if api is None:
            for old in [k for k in _api_clients if k[0] == provider.pk]:
                _api_clients.pop(old)  # left to the garbage collector: another thread may still use it
            api = _api_clients[key] = open_api(provider.url, credentials)
    return api


class StepFailed(Exception):
    """The VM cannot go on; the message says what went wrong and what to do."""

    def __init__(self, message: str, log: str = ""):
        super().__init__(message)
        self.message, self.log = message, log


class VMContext:
    def __init__(self, record: MigrationVM):
        self.record = record
        self.migration = record.migration
        self.plan = self.migration.plan
        self.memo = record.memo

    # --- the source -------------------------------------------------------------------------

    @cached_property
    def ops(self):
        return operations_for(self.plan.source_provider)

    @cached_property
    def vm(self) -> VirtualMachine:
        found = VirtualMachine.objects.filter(provider=self.plan.source_provider, uid=self.record.vm_id).first()
        if found is None:
            raise StepFailed(f"VM {self.record.name} is no longer in the inventory of "
                             f"{self.plan.source_provider.name}: remove it from the plan.")
        return found

    @cached_property
    def source(self) -> SourceVM:
        """The VM as the first step saw it: kept with the record, so what the pipeline builds does
        not change when the inventory does mid-way (a powered-off KubeVirt VM loses the MACs its
        running instance reported, for one)."""
        if "source" not in self.memo:
            self.memo["source"] = asdict(self.ops.describe(self.vm))
        data = dict(self.memo["source"])
        data["disks"] = [DiskSource(**d) for d in data["disks"]]
        data["nics"] = [NicSource(**n) for n in data["nics"]]
        return SourceVM(**data)

    # --- the target -------------------------------------------------------------------------

    @cached_property
    def api(self) -> client.ApiClient:
        return target_api(self.plan.destination_provider)

    @cached_property
    def core(self) -> client.CoreV1Api:
        return client.CoreV1Api(self.api)

    @cached_property
    def custom(self) -> client.CustomObjectsApi:
        return client.CustomObjectsApi(self.api)

    @property
    def namespace(self) -> str:
        return self.plan.target_namespace

    @property
    def labels(self) -> dict:
        return specs.labels(self.plan, self.migration, self.record.vm_id)

    @property
    def target_name(self) -> str:
        return self.memo["target_name"]

    # --- the record ---------------------------------------------------------------------------

    def log(self, text: str) -> None:
        stamp = timezone.now().strftime("%Y-%m-%d %H:%M:%S")
        lines = (self.record.log + f"{stamp} {text}\n").splitlines(keepends=True)
        self.record.log = "".join(lines[-LOG_LINES_KEPT:])

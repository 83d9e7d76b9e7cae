"""What a step handler works with: one MigrationVM, its plan, the source, the target, and the
controller settings of this round."""

from __future__ import annotations

from dataclasses import asdict
from functools import cached_property

from django.utils import timezone
from kubernetes import client

from plans.engine import lease, objects
from plans.models import MigrationVM
from plans.settings import ControllerSettings
from providers.adapters import Adapter, adapter_for
from providers.adapters.source import DiskSource, NicSource, Operations, SourceVM
from providers.kube import cluster_api
from providers.models import VirtualMachine

LOG_LINES_KEPT = 2000


class StepFailed(Exception):
    """The VM cannot go on; the message says what went wrong and what to do."""

    def __init__(self, message: str, log: str = ""):
        super().__init__(message)
        self.message, self.log = message, log


class VMContext:
    def __init__(self, record: MigrationVM, settings: ControllerSettings, holder: str = lease.HOLDER):
        self.record = record
        self.migration = record.migration
        self.plan = self.migration.plan
        self.memo = record.memo
        self.settings = settings  # read once per round by the scheduler
        self.holder = holder  # the engine's name on the VM's lease

    # --- the source -------------------------------------------------------------------------

    @cached_property
    def adapter(self) -> Adapter:
        return adapter_for(self.plan.source_provider)

    @cached_property
    def ops(self) -> Operations:
        return self.adapter.operations()

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
        return cluster_api(self.plan.destination_provider)

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
        return objects.labels(self.plan, self.migration, self.record.vm_id)

    @property
    def target_name(self) -> str:
        return self.memo["target_name"]

    # --- the record ---------------------------------------------------------------------------

    def log(self, text: str) -> None:
        log(self.record, text)

    def save(self) -> bool:
        """Keep what the steps did so far (before a call whose effect must not be lost with the
        engine, e.g. opening a source's disks). False when the VM was canceled meanwhile."""
        return lease.save(self.record, self.holder)


def log(record: MigrationVM, text: str) -> None:
    stamp = timezone.now().strftime("%Y-%m-%d %H:%M:%S")
    lines = (record.log + f"{stamp} {text}\n").splitlines(keepends=True)
    record.log = "".join(lines[-LOG_LINES_KEPT:])

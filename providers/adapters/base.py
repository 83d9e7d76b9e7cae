"""What every provider type implements. Capabilities are explicit class attributes; a type
implements only the parts it has (no no-op stubs)."""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, ClassVar, Protocol
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from providers.models import Provider


# How grave a finding about a VM or a plan is (plan checks, validation concerns).
CRITICAL, WARNING, INFORMATION = "Critical", "Warning", "Information"
Finding = tuple[str, str]  # (category, message)


class ProviderError(Exception):
    """A problem with the source that the user can act on; the message says what to do.

    `retryable` tells the inventory service whether trying again later can help (an
    unreachable host can come back; a wrong password will not fix itself, but is retried
    slowly anyway so that a corrected source recovers by itself)."""

    def __init__(self, message: str, retryable: bool = True):
        super().__init__(message)
        self.message = message
        self.retryable = retryable


DEFAULT_PORTS = {"https": 443, "http": 80}


@dataclass(frozen=True)
class Endpoint:
    """The scheme, host and port a provider's URL leads to."""

    scheme: str
    host: str
    port: int

    def __str__(self):
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.port}"


@dataclass
class Item:
    """One inventory object as an adapter reports it."""

    kind: str  # "vm" or an InventoryObject.Kind value
    uid: str
    name: str
    data: dict
    parent_kind: str = ""
    parent_uid: str = ""
    path: str = ""
    # VM columns the VM table filters on.
    power_state: str = ""
    host_uid: str = ""
    cluster_uid: str = ""
    folder_uid: str = ""
    extra: dict = field(default_factory=dict)


@dataclass
class VMSummary:
    cpus: int
    memory_bytes: int
    disk_bytes: list[int]
    nics: int


@dataclass
class StorageSummary:
    capacity: int
    free: int


class ChangeSink(Protocol):
    def upsert(self, items: Iterable[Item]) -> None: ...
    def remove(self, kind: str, uids: Iterable[str]) -> None: ...
    def replace(self, items: Iterable[Item]) -> None: ...


class Collector:
    """Loads a provider's inventory, then follows its changes."""

    def load(self) -> Iterable[Item]:
        raise NotImplementedError

    def follow(self, sink: ChangeSink, stop: threading.Event) -> None:
        """Apply changes to sink until stop is set; raise ProviderError when the source is lost."""
        raise NotImplementedError


class PollingCollector(Collector):
    """For sources without a change feed: reload every `interval` seconds; the store keeps
    only what changed (it compares records)."""

    interval: ClassVar[float] = 10.0

    def follow(self, sink: ChangeSink, stop: threading.Event) -> None:
        while not stop.wait(self.interval):
            sink.replace(self.load())


class Adapter:
    type: ClassVar[str]
    supports_warm: ClassVar[bool] = False
    needs_conversion: ClassVar[bool] = False
    # Capabilities generic code (maps, plans, pages) reads instead of testing the provider type:
    # What the type calls its storage (singular, plural), in messages and column heads.
    storage_nouns: ClassVar[tuple[str, str]] = ("storage", "storage")
    # It can receive migrated VMs: a plan's or a map's target.
    is_target: ClassVar[bool] = False
    # Its VMs' NICs may be on the pod network, offered as the map source "pod".
    has_pod_network: ClassVar[bool] = False
    has_hosts: ClassVar[bool] = False  # the inventory lists hypervisor hosts (a Hosts tab)
    # Each host's disks may be read through an address of the user's choice (a Host record, guide §5.3)
    host_addresses: ClassVar[bool] = False
    # The provider form offers to read the SHA-1 thumbprint of the certificate the URL presents
    # (`fetch_thumbprint(url)`), for the user to confirm and pin
    fetches_thumbprint: ClassVar[bool] = False
    # Its VMs and NADs are referenced by namespace/name (guide §5.3), not by id.
    named_by_namespace: ClassVar[bool] = False
    # The stored kinds ("vm", "network", "folder"…) that live in the cluster's namespaces (the first
    # part of their path): users see and use only those of their own namespaces
    # (providers.inventory.visible); the other kinds belong to the whole source.
    namespaced_kinds: ClassVar[frozenset[str]] = frozenset()
    # Namespaces whose networks every namespace may attach to (and so every user may use)
    shared_network_namespaces: ClassVar[tuple[str, ...]] = ()
    # The provider form (dotted path to a providers.forms.ProviderForm subclass).
    form: ClassVar[str]
    # The last part of its validation policy's Rego package, io.konveyor.forklift.<policy_package>
    policy_package: ClassVar[str]
    # Inventory API collections under /providers/<type>/<uid>/ → stored kind, in Forklift's
    # names, e.g. {"vms": "vm", "hosts": "host", "datastores": "storage", "networks": "network"}.
    resources: ClassVar[dict[str, str]] = {}

    @staticmethod
    def endpoint(url: str) -> Endpoint | None:
        """Where a provider's URL leads (scheme, host, port); None when it names no host."""
        try:
            parts = urlsplit(url)
            port = parts.port
        except ValueError:
            return None
        if not parts.hostname:
            return None
        return Endpoint(parts.scheme.lower(), parts.hostname.lower(), port or DEFAULT_PORTS.get(parts.scheme.lower(), 0))

    @staticmethod
    def uses_own_credentials(url: str) -> bool:
        """Would a provider of this type at `url` reach its source with mtvweb's own credentials (the
        cluster mtvweb runs on) rather than credentials of its own? Only cluster admins may add or
        change such a provider, and there is at most one."""
        return False

    def __init__(self, provider: Provider):
        self.provider = provider
        self.url = provider.url
        self.settings = provider.settings or {}
        self.credentials = provider.credentials()

    @staticmethod
    def vm_summary(data: dict) -> VMSummary:
        """What the VM table shows of a VM record; these are the names most types share
        (cpuCount, memoryMB, disks[].capacity, nics); a type with others overrides this."""
        return VMSummary(cpus=data.get("cpuCount") or 0, memory_bytes=(data.get("memoryMB") or 0) * 2**20,
                         disk_bytes=[d.get("capacity") or 0 for d in data.get("disks") or []],
                         nics=len(data.get("nics") or []))

    @staticmethod
    def nic_networks(data: dict) -> list[str]:
        """The source network of each NIC of a VM record, in NIC order (a network map's sources)."""
        return [(nic.get("network") or {}).get("id", "") for nic in data.get("nics") or []]

    @staticmethod
    def disk_storages(data: dict) -> list[str]:
        """The source storage of each disk of a VM record (a storage map's sources)."""
        return [(disk.get("storage") or {}).get("id", "") for disk in data.get("disks") or []]

    @staticmethod
    def storage_summary(data: dict) -> StorageSummary:
        return StorageSummary(capacity=data.get("capacity") or 0, free=data.get("free") or 0)

    @staticmethod
    def provider_findings(provider: Provider) -> list[Finding]:
        """What a plan from this source should know about the provider's own settings."""
        return []

    @staticmethod
    def vm_findings(data: dict, warm: bool) -> list[Finding]:
        """What stops (Critical) or may trouble a VM record's migration from this source, cold or warm."""
        return []

    def test_connection(self) -> None:
        """Raise ProviderError with an actionable message when the source cannot be used."""
        raise NotImplementedError

    def collector(self) -> Collector:
        raise NotImplementedError

    def operations(self):
        """What the engine calls to migrate this provider's VMs: this type's providers.adapters.source.Operations."""
        raise NotImplementedError

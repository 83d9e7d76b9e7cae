"""What the engine needs from a source provider, whatever its type: the VM described in the
target's terms, how a transfer Pod reads each disk, and the power switch.

Each type implements `Operations` in `providers/adapters/<type>/transfer.py`;
`operations_for(provider)` finds it. A type without that module cannot be migrated yet, and
the engine says so instead of guessing.
"""

from __future__ import annotations

import importlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from providers.models import Provider, VirtualMachine

POWER_TIMEOUT = 300  # seconds a source has to reach the power state asked for


class SourceError(Exception):
    """The source refused or failed; the message says what to do."""


def wait_for(read: Callable[[], object], reached: Callable[[object], bool], failure: Callable[[object], str],
             timeout: float = POWER_TIMEOUT, interval: float = 1.0):
    """Call `read` until `reached(value)`; SourceError(failure(last value)) after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not reached(value := read()):
        if time.monotonic() > deadline:
            raise SourceError(failure(value))
        time.sleep(interval)
    return value


@dataclass
class DiskSource:
    id: str  # the source's disk key or id
    capacity: int  # bytes
    storage: str  # the source storage id (datastore, storage domain, volume type…), for the storage map
    bus: str = "virtio"  # the KubeVirt disk bus
    reader_args: list[str] = field(default_factory=list)  # the transfer Pod's source arguments
    mounts: list[dict] = field(default_factory=list)  # [{"path": …, "volume": {<a Pod volume>}}]
    # Run before the transfer container (e.g. one that copies the VDDK library into a shared volume)
    init_containers: list[dict] = field(default_factory=list)
    # Extra Pod volumes by name; one an init container mounts is mounted at the same path in the
    # transfer container (how the init containers hand it files)
    volumes: list[dict] = field(default_factory=list)


@dataclass
class NicSource:
    mac: str
    network: str  # the source network id, for the network map
    model: str = "virtio"


@dataclass
class SourceVM:
    id: str
    name: str
    sockets: int
    cores: int
    memory_mib: int
    firmware: str  # bios or efi
    disks: list[DiskSource]
    nics: list[NicSource]
    powered_on: bool


class Operations:
    """One source provider, seen by the engine."""

    def __init__(self, provider: Provider):
        self.provider = provider
        self.credentials = provider.credentials()

    def describe(self, vm: VirtualMachine) -> SourceVM:
        raise NotImplementedError

    def reader_secret(self) -> dict[str, str]:
        """Environment for the transfer Pod (stored in a Secret it reads), e.g. SOURCE_USER."""
        return {}

    def is_powered_on(self, vm: VirtualMachine) -> bool:
        raise NotImplementedError

    def switch(self, vm: VirtualMachine, on: bool) -> None:
        """Power the VM on or off and wait until it is."""
        raise NotImplementedError

    def power_off(self, vm: VirtualMachine) -> None:
        self.switch(vm, on=False)

    def power_on(self, vm: VirtualMachine) -> None:
        self.switch(vm, on=True)

    def prepare_disks(self, vm: VirtualMachine, source: SourceVM) -> dict[str, list[str]]:
        """Anything to do before the transfer Pods start (e.g. export an image). Idempotent.
        Returns {disk id: reader_args} for disks whose arguments differ from `DiskSource.reader_args`."""
        return {}

    def release_disks(self, vm: VirtualMachine) -> None:
        """Undo prepare_disks (temporary images, transfers). Idempotent."""


def operations_for(provider: Provider) -> Operations:
    try:
        module = importlib.import_module(f"providers.adapters.{provider.type}.transfer")
    except ModuleNotFoundError:
        raise SourceError(f"Migrating from {provider.get_type_display()} providers is not available yet.") from None
    return module.Operations(provider)

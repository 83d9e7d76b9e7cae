"""What the engine needs from a source provider, whatever its type: the VM described in the
target's terms, how a transfer Pod reads each disk, and the power switch.

Each type implements `Operations` in `providers/adapters/<type>/transfer.py`, and its adapter's
`operations()` returns one. Failures are `ProviderError`s whose message says what to do.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from providers.adapters.base import ProviderError

if TYPE_CHECKING:
    from providers.adapters.base import Adapter
    from providers.models import VirtualMachine

POWER_TIMEOUT = 300  # seconds a source has to reach the power state asked for


def wait_for(read: Callable[[], object], reached: Callable[[object], bool], failure: Callable[[object], str],
             timeout: float = POWER_TIMEOUT, interval: float = 1.0):
    """Call `read` until `reached(value)`; ProviderError(failure(last value)) after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not reached(value := read()):
        if time.monotonic() > deadline:
            raise ProviderError(failure(value))
        time.sleep(interval)
    return value


@contextmanager
def refusals(doing: str):
    """A source's refusal (a ProviderError from its client) told as what the migration was doing,
    why it failed, and that it can be restarted. Wrap only calls to the client: the failures an
    `Operations` raises itself already say what to do."""
    try:
        yield
    except ProviderError as exc:
        raise ProviderError(f"Could not {doing}. {exc.message.rstrip('.')}. Once that is fixed, restart the "
                            "migration.", retryable=exc.retryable) from None


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
    # Extra Pod volumes by name (how the init containers hand the transfer container files), and
    # where the transfer container mounts them
    volumes: list[dict] = field(default_factory=list)
    transfer_mounts: list[dict] = field(default_factory=list)


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
    """One source provider, seen by the engine. The adapter holds the provider and its credentials."""

    def __init__(self, adapter: Adapter):
        self.adapter = adapter

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

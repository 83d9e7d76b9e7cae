"""The inventory service: one watcher thread per provider keeps its inventory current.

Run by `manage.py inventory`. A watcher connects, loads everything, then follows changes
through its adapter's collector. When the source cannot be reached it marks the provider
ConnectionFailed with the reason and keeps retrying (backing off to a minute), so a source
that comes back recovers by itself. Editing a provider or asking for a refresh restarts its
watcher, which reloads everything.
"""

from __future__ import annotations

import logging
import threading

from django.db import close_old_connections, connection

from providers.adapters import ProviderError, adapter_for
from providers.inventory.store import InventoryStore
from providers.models import Provider

log = logging.getLogger(__name__)
MAX_BACKOFF = 60.0


def set_status(provider_id: int, status: str, message: str = "") -> None:
    Provider.objects.filter(pk=provider_id).update(status=status, status_message=message)


def watcher_stamp(provider: Provider) -> tuple:
    """A watcher restarts when any of this changes."""
    return (provider.updated, provider.refresh_requested)


class ProviderWatcher(threading.Thread):
    def __init__(self, provider_id: int, stamp: tuple):
        super().__init__(name=f"inventory-{provider_id}", daemon=True)
        self.provider_id = provider_id
        self.stamp = stamp
        self.stop = threading.Event()

    def run(self):
        try:
            self.watch()
        finally:
            connection.close()

    def watch(self):
        backoff = 1.0
        while not self.stop.is_set():
            close_old_connections()
            provider = Provider.objects.filter(pk=self.provider_id).first()
            if provider is None:
                return
            try:
                self.load_and_follow(provider)
                backoff = 1.0
            except ProviderError as exc:
                log.info("provider %s: %s", provider, exc.message)
                set_status(provider.pk, Provider.Status.CONNECTION_FAILED, exc.message)
            except Exception as exc:
                log.exception("provider %s: inventory failed", provider)
                set_status(provider.pk, Provider.Status.CONNECTION_FAILED, f"Reading the inventory failed: {exc}")
            self.stop.wait(backoff)
            backoff = min(backoff * 2, MAX_BACKOFF)

    def load_and_follow(self, provider: Provider) -> None:
        adapter = adapter_for(provider)
        adapter.test_connection()
        if provider.last_refresh is None:
            set_status(provider.pk, Provider.Status.STAGING)
        store = InventoryStore(provider)
        collector = adapter.collector()
        try:
            store.load(collector)
            set_status(provider.pk, Provider.Status.READY)
            collector.follow(store, self.stop)
        finally:
            if hasattr(collector, "close"):
                collector.close()


class InventoryService:
    def __init__(self, poll: float = 1.0):
        self.poll = poll
        self.watchers: dict[int, ProviderWatcher] = {}

    def sync(self) -> None:
        wanted = {p.pk: watcher_stamp(p) for p in Provider.objects.only("pk", "updated", "refresh_requested")}
        for pk, watcher in list(self.watchers.items()):
            if wanted.get(pk) != watcher.stamp or not watcher.is_alive():
                watcher.stop.set()
                del self.watchers[pk]
        for pk, stamp in wanted.items():
            if pk not in self.watchers:
                self.watchers[pk] = watcher = ProviderWatcher(pk, stamp)
                watcher.start()

    def run(self, stop: threading.Event) -> None:
        try:
            while not stop.is_set():
                close_old_connections()
                self.sync()
                stop.wait(self.poll)
        finally:
            self.shutdown()

    def shutdown(self, timeout: float = 10) -> None:
        for watcher in self.watchers.values():
            watcher.stop.set()
        for watcher in self.watchers.values():
            watcher.join(timeout)
        self.watchers.clear()

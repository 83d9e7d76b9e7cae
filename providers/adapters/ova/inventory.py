"""OVA inventory: an NFS share has no change feed, so the share is rescanned every few minutes
(and at once on "refresh", which restarts the watcher); the store keeps only what changed."""

from __future__ import annotations

from collections.abc import Iterable

from providers.adapters.base import Item, PollingCollector
from providers.adapters.ova.client import ShareScanner
from providers.adapters.ova.records import items

RESCAN_SECONDS = 300.0


class OvaCollector(PollingCollector):
    interval = RESCAN_SECONDS

    def __init__(self, scanner: ShareScanner, provider_name: str, first_scan: dict | None = None,
                 interval: float | None = None):
        self.scanner = scanner
        self.provider_name = provider_name
        self.first_scan = first_scan  # the scan the connection test just made, reused for the first load
        if interval is not None:
            self.interval = interval

    def load(self) -> Iterable[Item]:
        scan, self.first_scan = self.first_scan or self.scanner.scan(), None
        return list(items(scan, self.provider_name))

"""Writes what adapters report into the inventory tables, touching only what changed.

Every changed object gets its revision bumped (validation re-checks VMs whose
`revision_validated` is behind); the provider's counts follow each batch so that a page
shows them growing while the first load runs.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from itertools import islice

from django.db import transaction
from django.db.models import Count, F
from django.utils import timezone

from providers.adapters.base import Item
from providers.models import InventoryObject, Provider, VirtualMachine

BATCH = 1000
VM = "vm"
VM_COLUMNS = ["power_state", "host_uid", "cluster_uid", "folder_uid"]
COMMON_COLUMNS = ["name", "path", "parent_kind", "parent_uid", "data", "digest"]


def digest(item: Item) -> str:
    payload = [item.name, item.path, item.parent_kind, item.parent_uid, item.data]
    if item.kind == VM:
        payload += [getattr(item, c) for c in VM_COLUMNS]
    raw = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str).encode()
    return hashlib.blake2b(raw, digest_size=16).hexdigest()


def batched(iterable, size):
    it = iter(iterable)
    while chunk := list(islice(it, size)):
        yield chunk


class InventoryStore:
    def __init__(self, provider: Provider):
        self.provider = provider

    def _model(self, kind):
        return VirtualMachine if kind == VM else InventoryObject

    def _queryset(self, kind):
        if kind == VM:
            return VirtualMachine.objects.filter(provider=self.provider)
        return InventoryObject.objects.filter(provider=self.provider, kind=kind)

    def _row(self, item: Item, **extra):
        fields = {c: getattr(item, c) for c in ("uid", "name", "path", "parent_kind", "parent_uid", "data")}
        if item.kind == VM:
            fields.update({c: getattr(item, c) for c in VM_COLUMNS})
        else:
            fields["kind"] = item.kind
        return self._model(item.kind)(provider=self.provider, digest=digest(item), **fields, **extra)

    def _write(self, items: list[Item]) -> set[tuple[str, str]]:
        """Insert new and update changed items; return the (kind, uid) of all of them."""
        latest = {(item.kind, item.uid): item for item in items}  # an item reported twice: its last report wins
        seen = set(latest)
        by_kind: dict[str, list[Item]] = {}
        for item in latest.values():
            by_kind.setdefault(item.kind, []).append(item)
        changed = False
        with transaction.atomic():
            for kind, group in by_kind.items():
                existing = dict(
                    self._queryset(kind).filter(uid__in=[i.uid for i in group]).values_list("uid", "digest")
                )
                new = [self._row(i) for i in group if i.uid not in existing]
                updated = [self._row(i) for i in group if i.uid in existing and existing[i.uid] != digest(i)]
                if new:
                    self._model(kind).objects.bulk_create(new, batch_size=BATCH)
                if updated:
                    self._update(kind, updated)
                    if kind in ("host", "cluster"):
                        self._touch_vms_on(kind, [row.uid for row in updated])
                changed |= bool(new or updated)
            if changed:
                self._bump()
        return seen

    def _update(self, kind, rows):
        model = self._model(kind)
        ids = dict(self._queryset(kind).filter(uid__in=[r.uid for r in rows]).values_list("uid", "pk"))
        for row in rows:
            row.pk = ids[row.uid]
        columns = COMMON_COLUMNS + (VM_COLUMNS if kind == VM else [])
        model.objects.bulk_update(rows, columns, batch_size=BATCH)
        self._queryset(kind).filter(uid__in=[r.uid for r in rows]).update(revision=F("revision") + 1)

    def _touch_vms_on(self, kind: str, uids: list[str]) -> None:
        """A VM's policy input includes its host and cluster: when they change, so does the VM's."""
        column = "host_uid" if kind == "host" else "cluster_uid"
        VirtualMachine.objects.filter(provider=self.provider, **{f"{column}__in": uids}).update(
            revision=F("revision") + 1)

    def _bump(self):
        Provider.objects.filter(pk=self.provider.pk).update(revision=F("revision") + 1)

    def upsert(self, items: Iterable[Item]) -> None:
        for chunk in batched(items, BATCH):
            self._write(chunk)
        self.update_counts()

    def remove(self, kind: str, uids: Iterable[str]) -> None:
        deleted, _ = self._queryset(kind).filter(uid__in=list(uids)).delete()
        if deleted:
            self._bump()
            self.update_counts()

    def replace(self, items: Iterable[Item]) -> None:
        """Make the stored inventory equal to items (a full load): add, update, delete."""
        seen = set()
        for chunk in batched(items, BATCH):
            seen |= self._write(chunk)
            self.update_counts()
        kinds = {VM} | set(
            InventoryObject.objects.filter(provider=self.provider).values_list("kind", flat=True).distinct()
        )
        for kind in kinds:
            stored = set(self._queryset(kind).values_list("uid", flat=True))
            gone = stored - {uid for k, uid in seen if k == kind}
            if gone:
                self.remove(kind, gone)
        self.update_counts()

    def load(self, collector) -> None:
        """A full load from the collector, reading ahead while earlier items are written."""
        from providers.inventory.ahead import ahead

        self.replace(ahead(collector.load()))

    def update_counts(self) -> None:
        counts = dict(
            InventoryObject.objects.filter(provider=self.provider).values_list("kind").annotate(n=Count("pk")).order_by()
        )
        counts["vm"] = VirtualMachine.objects.filter(provider=self.provider).count()
        Provider.objects.filter(pk=self.provider.pk).update(counts=counts, last_refresh=timezone.now())

"""A snapshot of API JSON → the inventory Items (guide §6.3), rebuilt on every poll."""

from __future__ import annotations

from providers.adapters.base import Item
from providers.adapters.openstack.objects import (
    flavor_item,
    image_item,
    network_item,
    project_item,
    region_item,
    subnet_item,
    volume_item,
    volume_type_item,
)
from providers.adapters.openstack.snapshot import Lookups, Snapshot
from providers.adapters.openstack.vm_record import vm_item


class RecordBuilder:
    """Builds the Items of a snapshot, reusing the Item of a volume or server whose inputs did not
    change since the previous build: without that a poll re-creates thousands of equal records,
    and their garbage collection is most of its cost. Inputs are compared by value, so a snapshot's
    dicts are replaced by each read, never edited in place."""

    def __init__(self):
        self.memo: dict[tuple[str, str], tuple] = {}
        self.context: tuple = ()

    def build(self, snap: Snapshot) -> list[Item]:
        context = (snap.region, snap.project, snap.networks, snap.flavors, snap.images, snap.volume_types)
        if context != self.context:  # every VM record reads these
            self.memo, self.context = {}, context
        look = Lookups(snap)
        fresh: dict[tuple[str, str], tuple] = {}

        def reuse(kind: str, uid: str, inputs, make) -> Item:
            hit = self.memo.get((kind, uid))
            item = hit[1] if hit is not None and hit[0] == inputs else make()
            fresh[(kind, uid)] = (inputs, item)
            return item

        items = [region_item(snap), project_item(snap)]
        items += [network_item(n) for n in snap.networks.values()]
        items += [subnet_item(s) for s in snap.subnets.values()]
        items += [volume_type_item(t) for t in snap.volume_types.values()]
        items += [flavor_item(f) for f in snap.flavors.values()]
        items += [image_item(i) for i in snap.images.values()]
        items += [reuse("volume", v["id"], v, lambda v=v: volume_item(v)) for v in snap.volumes.values()]
        for server in snap.servers.values():
            inputs = (server, [snap.volumes.get(i) for i in look.attached_ids(server)],
                      look.ports_by_server.get(server["id"]))
            items.append(reuse("vm", server["id"], inputs, lambda server=server: vm_item(server, look)))
        self.memo = fresh
        return items

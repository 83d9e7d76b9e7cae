"""The raw API JSON of one project, as last read, and the indexes records are built with."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Snapshot:
    """One project's resources as the APIs served them (dicts by id, in OpenStack's field names)."""

    region: str = ""
    project: dict = field(default_factory=dict)
    servers: dict = field(default_factory=dict)
    volumes: dict = field(default_factory=dict)
    ports: dict = field(default_factory=dict)
    networks: dict = field(default_factory=dict)
    subnets: dict = field(default_factory=dict)
    flavors: dict = field(default_factory=dict)
    images: dict = field(default_factory=dict)
    volume_types: dict = field(default_factory=dict)


class Lookups:
    """Indexes over a snapshot that several records need."""

    def __init__(self, snap: Snapshot):
        self.snap = snap
        self.type_by_name = {t["name"]: t for t in snap.volume_types.values()}
        self.flavor_by_name = {f["name"]: f for f in snap.flavors.values()}
        self.ports_by_server: dict[str, list[dict]] = {}
        for port in snap.ports.values():
            self.ports_by_server.setdefault(port.get("device_id") or "", []).append(port)
        self.volumes_by_server: dict[str, list[str]] = {}
        for volume in snap.volumes.values():
            for attachment in volume.get("attachments") or []:
                self.volumes_by_server.setdefault(attachment.get("server_id") or "", []).append(volume["id"])

    def attached_ids(self, server: dict) -> list[str]:
        """The server's volumes in Nova's order, corrected by Cinder's attachments: Nova need not bump a
        server's `updated` when a volume is attached or detached, and Cinder is re-read every poll."""
        in_cinder = self.volumes_by_server.get(server["id"], [])
        in_nova = [a["id"] for a in server.get("os-extended-volumes:volumes_attached") or []]
        kept = [i for i in in_nova if i in in_cinder or i not in self.snap.volumes]
        return kept + [i for i in in_cinder if i not in kept]

    def server_ports(self, server: dict) -> list[dict]:
        """The server's Neutron ports, in the order Nova lists their addresses (the guest's NIC order)."""
        order: list[str] = []
        for entries in (server.get("addresses") or {}).values():
            for entry in entries:
                mac = entry.get("OS-EXT-IPS-MAC:mac_addr")
                if mac and mac not in order:
                    order.append(mac)

        def position(port: dict) -> tuple:
            mac = port["mac_address"]
            return (order.index(mac) if mac in order else len(order), port["id"])

        return sorted(self.ports_by_server.get(server["id"], []), key=position)

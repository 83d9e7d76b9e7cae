"""Records of everything but VMs: region, project, networks, subnets, volume types, flavors,
images and volumes, in Forklift's field names."""

from __future__ import annotations

from providers.adapters.base import Item
from providers.adapters.openstack.snapshot import Snapshot

# Glance image fields that are not custom properties.
IMAGE_CORE = {
    "id", "name", "status", "visibility", "protected", "os_hidden", "owner", "size", "virtual_size", "checksum",
    "os_hash_algo", "os_hash_value", "disk_format", "container_format", "min_disk", "min_ram", "created_at",
    "updated_at", "tags", "self", "file", "schema", "locations", "direct_url", "stores",
}


def region_item(snap: Snapshot) -> Item:
    path = f"/{snap.region}"
    return Item(kind="datacenter", uid=snap.region, name=snap.region, path=path,
                data={"id": snap.region, "name": snap.region, "path": path})


def project_item(snap: Snapshot) -> Item:
    p = snap.project
    data = {"id": p["id"], "name": p["name"], "path": f"/{p['name']}", "domainID": p.get("domainID", ""),
            "domainName": p.get("domainName", ""), "isDomain": False, "enabled": True}
    return Item(kind="folder", uid=p["id"], name=p["name"], path=data["path"], data=data)


def network_item(n: dict) -> Item:
    name = n.get("name") or ""
    data = {
        "id": n["id"], "name": name, "path": f"/{name or n['id']}", "status": n.get("status", ""),
        "shared": bool(n.get("shared")), "external": bool(n.get("router:external")),
        "projectID": n.get("project_id") or n.get("tenant_id", ""), "subnets": n.get("subnets") or [],
        "mtu": n.get("mtu"), "networkType": n.get("provider:network_type") or "",
        "adminStateUp": n.get("admin_state_up", True), "description": n.get("description") or "",
    }
    return Item(kind="network", uid=n["id"], name=name, path=data["path"], data=data)


def subnet_item(s: dict) -> Item:
    data = {
        "id": s["id"], "name": s.get("name") or "", "networkID": s.get("network_id", ""),
        "cidr": s.get("cidr", ""), "ipVersion": s.get("ip_version"), "gatewayIP": s.get("gateway_ip") or "",
        "enableDHCP": bool(s.get("enable_dhcp")), "projectID": s.get("project_id") or "",
    }
    return Item(kind="subnet", uid=s["id"], name=data["name"], data=data)


def volume_type_item(t: dict) -> Item:
    data = {
        "id": t["id"], "name": t["name"], "path": f"/{t['name']}", "description": t.get("description") or "",
        "isPublic": t.get("is_public", t.get("os-volume-type-access:is_public", True)),
        "extraSpecs": t.get("extra_specs") or {}, "qosSpecID": t.get("qos_specs_id") or "",
    }
    return Item(kind="storage", uid=t["id"], name=t["name"], path=data["path"], data=data)


def flavor_item(f: dict) -> Item:
    data = {
        "id": f["id"], "name": f["name"], "vcpus": f.get("vcpus", 0), "ram": f.get("ram", 0),
        "disk": f.get("disk", 0), "ephemeral": f.get("OS-FLV-EXT-DATA:ephemeral", 0),
        "swap": f.get("swap") or 0,
        "isPublic": f.get("os-flavor-access:is_public", True), "extraSpecs": f.get("extra_specs") or {},
    }
    return Item(kind="flavor", uid=f["id"], name=f["name"], data=data)


def image(i: dict) -> dict:
    return {
        "id": i["id"], "name": i.get("name") or "", "status": i.get("status", ""),
        "diskFormat": i.get("disk_format") or "", "containerFormat": i.get("container_format") or "",
        "sizeBytes": i.get("size") or 0, "virtualSize": i.get("virtual_size") or 0,
        "minDisk": i.get("min_disk") or 0, "minRAM": i.get("min_ram") or 0,
        "visibility": i.get("visibility", ""), "owner": i.get("owner") or "",
        "properties": {k: v for k, v in i.items() if k not in IMAGE_CORE},
    }


def image_item(i: dict) -> Item:
    return Item(kind="image", uid=i["id"], name=i.get("name") or "", data=image(i))


def volume(v: dict) -> dict:
    """Forklift's Volume; `size` in GiB as Cinder reports it."""
    return {
        "id": v["id"], "name": v.get("name") or "", "status": v.get("status", ""), "size": v.get("size", 0),
        "availabilityZone": v.get("availability_zone") or "", "createdAt": v.get("created_at"),
        "updatedAt": v.get("updated_at"), "description": v.get("description") or "",
        "volumeType": v.get("volume_type") or "", "snapshotID": v.get("snapshot_id") or "",
        "sourceVolID": v.get("source_volid") or "", "userID": v.get("user_id") or "",
        "bootable": str(v.get("bootable", "false")).lower(), "encrypted": bool(v.get("encrypted")),
        "multiattach": bool(v.get("multiattach")), "metadata": v.get("metadata") or {},
        "volumeImageMetadata": v.get("volume_image_metadata") or {},
        "attachments": [
            {"serverID": a.get("server_id"), "device": a.get("device") or "",
             "attachmentID": a.get("attachment_id") or "", "attachedAt": a.get("attached_at")}
            for a in v.get("attachments") or []
        ],
    }


def volume_item(v: dict) -> Item:
    return Item(kind="volume", uid=v["id"], name=v.get("name") or "", data=volume(v))

"""A server's inventory record.

Forklift's VM fields, what its workload view expands (flavor, image, volumes), and the facts
migration and validation read in every source's names: cpuCount, memoryMB, firmware, powerState,
disks (Cinder volumes), nics (Neutron ports), and localDisks — disks on the hypervisor (the root
disk of an image-booted server, ephemeral, swap) that a server backed only by Cinder volumes,
the only kind MTV migrates (guide §2.6), does not have.
"""

from __future__ import annotations

from providers.adapters.base import Item
from providers.adapters.openstack.objects import image, volume
from providers.adapters.openstack.snapshot import Lookups

GIB = 1024**3
MIB = 1024**2
# Nova's OS-EXT-STS:power_state codes, and what a status implies when that field is hidden.
POWER_STATES = {0: "nostate", 1: "running", 3: "paused", 4: "shutdown", 6: "crashed", 7: "suspended"}
STATUS_POWER = {"ACTIVE": "running", "SHUTOFF": "shutdown", "PAUSED": "paused", "SUSPENDED": "suspended"}
# Cinder's copy of image metadata on a volume: bookkeeping keys, not image properties.
VOLUME_IMAGE_BOOKKEEPING = {"image_id", "image_name", "checksum", "size", "min_disk", "min_ram", "disk_format",
                            "container_format", "signature_verified"}


def vm_item(server: dict, look: Lookups) -> Item:
    project = look.snap.project
    flavor = server_flavor(server, look)
    attached = look.attached_ids(server)
    known = look.snap.volumes
    volumes = [volume(known[i]) if i in known else {"id": i, "status": "unknown", "size": 0} for i in attached]
    img = server_image(server, volumes, look)
    properties = img.get("properties", {})
    image_id = server["image"].get("id", "") if isinstance(server.get("image"), dict) else ""
    power = POWER_STATES.get(server.get("OS-EXT-STS:power_state")) or STATUS_POWER.get(server.get("status"), "")
    addresses = server.get("addresses") or {}
    path = f"/{project['name']}/{server['name']}"
    data = {
        # Forklift's VM
        "id": server["id"], "name": server["name"], "path": path,
        "tenantID": server.get("tenant_id") or project["id"], "userID": server.get("user_id") or "",
        "status": server.get("status", ""), "taskState": server.get("OS-EXT-STS:task_state") or "",
        "vmState": server.get("OS-EXT-STS:vm_state") or "",
        "hostID": server.get("hostId") or "", "host": server.get("OS-EXT-SRV-ATTR:host") or "",
        "availabilityZone": server.get("OS-EXT-AZ:availability_zone") or "",
        "created": server.get("created"), "updated": server.get("updated"),
        "launchedAt": server.get("OS-SRV-USG:launched_at"),
        "imageID": image_id, "flavorID": flavor["id"], "keyName": server.get("key_name") or "",
        "addresses": addresses, "metadata": server.get("metadata") or {}, "tags": server.get("tags") or [],
        "securityGroups": server.get("security_groups") or [],
        "serverGroups": server.get("server_groups") or [],
        "description": server.get("description") or "", "locked": bool(server.get("locked")),
        "accessIPv4": server.get("accessIPv4") or "", "accessIPv6": server.get("accessIPv6") or "",
        "fault": fault(server.get("fault")), "attachedVolumes": [{"id": i} for i in attached],
        # Forklift's workload expansion
        "flavor": flavor, "image": img, "volumes": volumes,
        # Every source's migration facts
        "powerState": power, "cpuCount": flavor["vcpus"], "memoryMB": flavor["ram"],
        "firmware": "efi" if properties.get("hw_firmware_type") == "uefi" else "bios",
        "secureBoot": "required" in (properties.get("os_secure_boot"),
                                     flavor["extraSpecs"].get("os:secure_boot")),
        "osType": properties.get("os_type") or "", "osDistro": properties.get("os_distro") or "",
        "osVersion": properties.get("os_version") or "",
        "imageBased": bool(image_id), "localDisks": local_disks(flavor, img if image_id else None),
        "disks": sorted((disk(v, server["id"], look, properties) for v in volumes),
                        key=lambda d: (d["device"] or "~", d["id"])),
        "nics": [nic(port, look, properties) for port in look.server_ports(server)],
        "floatingIPs": [a["addr"] for entries in addresses.values() for a in entries
                        if a.get("OS-EXT-IPS:type") == "floating"],
    }
    return Item(kind="vm", uid=server["id"], name=server["name"], data=data, path=path, parent_kind="folder",
                parent_uid=project["id"], power_state=power, host_uid=data["hostID"], folder_uid=project["id"])


def fault(value: dict | None) -> dict | None:
    if not value:
        return None
    return {"code": value.get("code"), "created": value.get("created"), "message": value.get("message") or "",
            "details": value.get("details") or ""}


def server_flavor(server: dict, look: Lookups) -> dict:
    """The server's own flavor: embedded (microversion 2.47+) or looked up by id (older Nova)."""
    embedded = server.get("flavor") or {}
    if "vcpus" in embedded:
        name = embedded.get("original_name", "")
        return {"id": look.flavor_by_name.get(name, {}).get("id", ""), "name": name, "vcpus": embedded["vcpus"],
                "ram": embedded.get("ram", 0), "disk": embedded.get("disk", 0),
                "ephemeral": embedded.get("ephemeral", 0), "swap": embedded.get("swap") or 0,
                "extraSpecs": embedded.get("extra_specs") or {}}
    known = look.snap.flavors.get(embedded.get("id"), {})
    return {"id": embedded.get("id", ""), "name": known.get("name", ""), "vcpus": known.get("vcpus", 0),
            "ram": known.get("ram", 0), "disk": known.get("disk", 0),
            "ephemeral": known.get("OS-FLV-EXT-DATA:ephemeral", 0), "swap": known.get("swap") or 0,
            "extraSpecs": known.get("extra_specs") or {}}


def server_image(server: dict, volumes: list[dict], look: Lookups) -> dict:
    """The image a server was built from: its Glance image or, for a volume-booted server, the image
    its boot volume was made from, with the properties Cinder copied onto the volume."""
    ref = server.get("image")
    image_id = ref.get("id", "") if isinstance(ref, dict) else ""
    copied = {}
    if not image_id:
        boot = next((v for v in volumes if v.get("bootable") == "true" and v.get("volumeImageMetadata")), None)
        if boot:
            copied = boot["volumeImageMetadata"]
            image_id = copied.get("image_id", "")
    if not image_id:
        return {}
    if image_id in look.snap.images:
        found = image(look.snap.images[image_id])
    else:  # deleted from Glance since
        found = {"id": image_id, "name": copied.get("image_name", ""), "properties": {}}
    found["properties"].update({k: v for k, v in copied.items() if k not in VOLUME_IMAGE_BOOKKEEPING})
    return found


def disk(v: dict, server_id: str, look: Lookups, properties: dict) -> dict:
    attachment = next((a for a in v.get("attachments") or [] if a.get("serverID") == server_id), {})
    volume_type = look.type_by_name.get(v.get("volumeType"), {})
    return {
        "id": v["id"], "name": v.get("name", ""), "capacity": v.get("size", 0) * GIB,
        "storage": {"kind": "VolumeType", "id": volume_type.get("id", ""), "name": v.get("volumeType", "")},
        "format": "raw", "shared": v.get("multiattach", False), "bootable": v.get("bootable") == "true",
        "device": attachment.get("device", ""), "bus": properties.get("hw_disk_bus") or "virtio",
        "status": v.get("status", ""),
    }


def nic(port: dict, look: Lookups, properties: dict) -> dict:
    network_id = port.get("network_id", "")
    network_name = look.snap.networks.get(network_id, {}).get("name", "")
    return {
        "id": port["id"], "mac": port["mac_address"],
        "network": {"kind": "Network", "id": network_id, "name": network_name},
        "ipAddresses": [f.get("ip_address") for f in port.get("fixed_ips") or []],
        "vnicType": port.get("binding:vnic_type") or "normal",
        "model": properties.get("hw_vif_model") or "virtio",
        "portSecurityEnabled": port.get("port_security_enabled", True),
    }


def local_disks(flavor: dict, booted_from: dict | None) -> list[dict]:
    """Disks on the hypervisor's local storage rather than in Cinder."""
    result = []
    if booted_from is not None:
        size = flavor["disk"] * GIB or booted_from.get("virtualSize") or booted_from.get("sizeBytes") or 0
        result.append({"kind": "root", "capacity": size, "image": booted_from.get("id", "")})
    if flavor.get("ephemeral"):
        result.append({"kind": "ephemeral", "capacity": flavor["ephemeral"] * GIB})
    if flavor.get("swap"):
        result.append({"kind": "swap", "capacity": int(flavor["swap"]) * MIB})
    return result

"""Cinder v3: volumes (list, get, create, delete) and volume types.

Volume actions (os-volume_upload_image) and snapshots are in cinder_actions.py.
"""

from __future__ import annotations

import asyncio
import math
import uuid
from pathlib import Path

from aiohttp import web

from lab.openstack import api, disks
from lab.openstack.cloud import Cloud

routes = web.RouteTableDef()
PREFIX = "/volume/v3/{project_id}"
MICROVERSION = api.Microversion("volume", None, "3.0", "3.71", "cinder")
DELETABLE = ("available", "error", "error_restoring", "error_extending", "error_managing")


def reply(request: web.Request, body, status: int = 200) -> web.Response:
    return api.reply(body, status, MICROVERSION.headers(MICROVERSION.of(request)))


def fail(status: int, message: str) -> web.HTTPException:
    return api.fault("cinder", status, message)


def version_document(request: web.Request) -> dict:
    return {"id": "v3.0", "status": "CURRENT", "version": api.fmt_version(MICROVERSION.maximum),
            "min_version": api.fmt_version(MICROVERSION.minimum), "updated": "2023-08-31T00:00:00Z",
            "links": [{"rel": "self", "href": f"{api.base_url(request)}/volume/v3/"}],
            "media-types": [{"base": "application/json", "type": "application/vnd.openstack.volume+json;version=3"}]}


@routes.get("/volume")
@routes.get("/volume/")
@routes.get("/volume/v3")
@routes.get("/volume/v3/")
async def versions(request):
    root = not request.path.startswith("/volume/v3")
    return api.reply({"versions": [version_document(request)]}, status=300 if root else 200)


def project_of(request: web.Request) -> str:
    """The project in the URL, which must be the token's (or any, for an admin)."""
    project_id, token = request.match_info["project_id"], request["token"]
    if project_id != token.project_id and not token.is_admin:
        raise fail(403, "Policy doesn't allow this request for another project.")
    return project_id


def find(request: web.Request, collection: str, key: str, what: str) -> dict:
    project_of(request)
    cloud: Cloud = request.app["cloud"]
    item = getattr(cloud, collection).get(request.match_info[key])
    if item is None or not cloud.visible(request["token"], item["project_id"]):
        raise fail(404, f"{what} {request.match_info[key]} could not be found.")
    return item


def volume_view(request: web.Request, volume: dict, version: tuple[int, int]) -> dict:
    cloud: Cloud = request.app["cloud"]
    vtype = next((t for t in cloud.volume_types.values() if t["name"] == volume["volume_type"]), None)
    base = f"{api.base_url(request)}/volume"
    view = {
        "id": volume["id"], "name": volume["name"], "status": volume["status"], "size": volume["size"],
        "availability_zone": "nova", "created_at": volume["created_at"], "updated_at": volume["updated_at"],
        "description": volume["description"], "volume_type": volume["volume_type"],
        "snapshot_id": volume.get("snapshot_id"), "source_volid": volume.get("source_volid"),
        "metadata": volume["metadata"], "bootable": "true" if volume["bootable"] else "false", "encrypted": False,
        "multiattach": volume["multiattach"], "replication_status": None, "consistencygroup_id": None,
        "user_id": volume["user_id"], "os-vol-tenant-attr:tenant_id": volume["project_id"],
        "os-vol-mig-status-attr:migstat": None, "os-vol-mig-status-attr:name_id": None,
        "attachments": [{"id": volume["id"], "attachment_id": a["attachment_id"], "volume_id": volume["id"],
                         "server_id": a["server_id"], "host_name": "compute-0", "device": a["device"],
                         "attached_at": volume["created_at"]} for a in volume["attachments"]],
        "links": [{"rel": "self", "href": f"{base}/v3/{volume['project_id']}/volumes/{volume['id']}"},
                  {"rel": "bookmark", "href": f"{base}/{volume['project_id']}/volumes/{volume['id']}"}],
    }
    if "volume_image_metadata" in volume:
        view["volume_image_metadata"] = volume["volume_image_metadata"]
    if request["token"].is_admin:
        view["os-vol-host-attr:host"] = "lab@lvm#lvm"
    if version >= (3, 48):
        view["shared_targets"] = False
    if version >= (3, 63):
        view["volume_type_id"] = vtype["id"] if vtype else None
    if version >= (3, 65):
        view["consumes_quota"] = True
    return view


def visible_volumes(request: web.Request) -> list:
    cloud: Cloud = request.app["cloud"]
    project_id, token = project_of(request), request["token"]
    everyone = token.is_admin and request.query.get("all_tenants", "0").lower() in ("1", "true")
    volumes = [v for v in cloud.volumes.values() if everyone or v["project_id"] == project_id]
    volumes = api.time_filtered(request, volumes, "updated_at", {"changes-since": "gte", "updated_at": "gte"})
    volumes = api.time_filtered(request, volumes, "created_at", {"created_at": "gte"})
    return api.filtered(request, volumes, ("name", "status", "bootable"))


@routes.get(PREFIX + "/volumes")
async def list_volumes(request):
    volumes = [{"id": v["id"], "name": v["name"], "links": volume_view(request, v, (3, 0))["links"]}
               for v in visible_volumes(request)]
    return reply(request, api.page(request, volumes, "volumes", request.path))


@routes.get(PREFIX + "/volumes/detail")
async def list_volumes_detail(request):
    version = MICROVERSION.of(request)
    volumes = [volume_view(request, v, version) for v in visible_volumes(request)]
    return reply(request, api.page(request, volumes, "volumes", request.path))


@routes.get(PREFIX + "/volumes/{volume_id}")
async def get_volume(request):
    volume = find(request, "volumes", "volume_id", "Volume")
    return reply(request, {"volume": volume_view(request, volume, MICROVERSION.of(request))})


@routes.post(PREFIX + "/volumes")
async def create_volume(request):
    cloud: Cloud = request.app["cloud"]
    project_id = project_of(request)
    spec = (await api.body(request)).get("volume") or {}
    source, source_key, minimum = None, None, 1
    if spec.get("snapshot_id"):
        snap = cloud.snapshots.get(spec["snapshot_id"])
        if snap is None or snap["status"] != "available":
            raise fail(400 if snap else 404, f"Snapshot {spec['snapshot_id']} could not be found or is not available.")
        source, source_key, minimum = Path(snap["file"]), snap["content_key"], snap["size"]
    elif spec.get("source_volid"):
        src = cloud.volumes.get(spec["source_volid"])
        if src is None or src["status"] not in ("available", "in-use"):
            raise fail(400, f"Source volume {spec['source_volid']} could not be found or is not available.")
        source, source_key, minimum = Path(src["file"]), src["content_key"], src["size"]
    elif spec.get("imageRef"):
        image = cloud.images.get(spec["imageRef"])
        if image is None or image["status"] != "active":
            raise fail(400, f"Image {spec['imageRef']} could not be found or is not active.")
        source, source_key, minimum = Path(image["file"]), image["content_key"], math.ceil(image["size"] / disks.GIB)
    size = spec.get("size") or minimum
    if not isinstance(size, int) or size < minimum:
        raise fail(400, f"Invalid input received: Volume size '{size}' must be an integer and at least {minimum} GB.")
    vtype = spec.get("volume_type") or "__DEFAULT__"
    if not any(t["name"] == vtype or t["id"] == vtype for t in cloud.volume_types.values()):
        raise fail(404, f"Volume type with name {vtype} could not be found.")
    vtype = next(t["name"] for t in cloud.volume_types.values() if vtype in (t["name"], t["id"]))
    stamp = api.now()
    volume = {"id": str(uuid.uuid4()), "name": spec.get("name"), "project_id": project_id,
              "user_id": request["token"].user_id, "size": size, "volume_type": vtype, "bootable": False,
              "multiattach": bool(spec.get("multiattach")) or vtype == "multiattach", "status": "creating",
              "description": spec.get("description"), "metadata": spec.get("metadata") or {}, "attachments": [],
              "snapshot_id": spec.get("snapshot_id"), "source_volid": spec.get("source_volid"),
              "created_at": stamp, "updated_at": stamp}
    if spec.get("imageRef"):  # Cinder marks volumes made from an image bootable and remembers the image
        image = cloud.images[spec["imageRef"]]
        volume.update(bootable=True, volume_image_metadata={
            "image_id": image["id"], "image_name": image["name"], "disk_format": image["disk_format"],
            "container_format": image["container_format"], "size": str(image["size"]), "checksum": image["md5"]})
    cloud.volumes[volume["id"]] = volume
    cloud.later(fill_volume(cloud, volume, source, source_key))
    return reply(request, {"volume": volume_view(request, volume, MICROVERSION.of(request))}, status=202)


async def fill_volume(cloud: Cloud, volume: dict, source: Path | None, source_key: str | None) -> None:
    await cloud.pause()
    target = cloud.new_file("volumes", volume["id"])
    size = volume["size"] * disks.GIB
    if source is None:
        key = disks.create_empty(target, size)
    else:
        await asyncio.to_thread(_copy_grow, source, target, size)
        key = source_key if source.stat().st_size == size else f"{source_key}|grown:{size}"
    volume.update(file=str(target), content_key=key, status="available", updated_at=api.now())


def _copy_grow(source: Path, target: Path, size: int) -> None:
    disks.sparse_copy(source, target)
    with open(target, "r+b") as f:
        f.truncate(max(size, source.stat().st_size))


@routes.delete(PREFIX + "/volumes/{volume_id}")
async def delete_volume(request):
    cloud: Cloud = request.app["cloud"]
    volume = find(request, "volumes", "volume_id", "Volume")
    has_snapshots = any(s["volume_id"] == volume["id"] for s in cloud.snapshots.values())
    if volume["status"] not in DELETABLE or volume["attachments"] or has_snapshots:
        raise fail(400, "Invalid volume: Volume status must be available or error or error_restoring or "
                   "error_extending or error_managing and must not be migrating, attached, belong to a group, "
                   "have snapshots or be disassociated from snapshots after volume transfer.")
    volume.update(status="deleting", updated_at=api.now())
    cloud.later(remove_later(cloud, cloud.volumes, volume))
    return web.Response(status=202)


async def remove_later(cloud: Cloud, collection: dict, item: dict) -> None:
    await cloud.pause()
    collection.pop(item["id"], None)
    if item.get("file"):
        Path(item["file"]).unlink(missing_ok=True)


def type_view(vtype: dict) -> dict:
    return {"id": vtype["id"], "name": vtype["name"], "description": vtype["description"], "is_public": True,
            "os-volume-type-access:is_public": True, "extra_specs": vtype["extra_specs"], "qos_specs_id": None}


@routes.get(PREFIX + "/types")
async def list_types(request):
    project_of(request)
    types = [type_view(t) for t in request.app["cloud"].volume_types.values()]
    return reply(request, {"volume_types": api.filtered(request, types, ("name",))})


@routes.get(PREFIX + "/types/{type_id}")
async def get_type(request):
    project_of(request)
    vtype = request.app["cloud"].volume_types.get(request.match_info["type_id"])
    if vtype is None:
        raise fail(404, f"Volume type {request.match_info['type_id']} could not be found.")
    return reply(request, {"volume_type": type_view(vtype)})

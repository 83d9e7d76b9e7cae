"""Cinder v3 volume actions and snapshots.

`os-volume_upload_image` behaves like Cinder with its default `enable_force_upload = False`:
only an `available` volume can be uploaded, so an attached (`in-use`) volume is copied the
way migration tools do it: snapshot -> volume from snapshot -> upload that volume.
"""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path

from aiohttp import web

from lab.openstack import api, disks, glance
from lab.openstack.cinder import MICROVERSION, PREFIX, fail, find, project_of, remove_later, reply
from lab.openstack.cloud import Cloud

routes = web.RouteTableDef()
DISK_FORMATS = ("raw",)  # the lab does not convert; real Cinder also offers qcow2, vmdk, vdi, vhd, vhdx, ploop


@routes.post(PREFIX + "/volumes/{volume_id}/action")
async def volume_action(request):
    volume = find(request, "volumes", "volume_id", "Volume")
    data = await api.body(request)
    if "os-volume_upload_image" in data:
        return await upload_to_image(request, volume, data["os-volume_upload_image"] or {})
    if "os-reset_status" in data:
        if not request["token"].is_admin:
            raise fail(403, "Policy doesn't allow volume_extension:volume_admin_actions:reset_status to be performed.")
        volume.update(status=(data["os-reset_status"] or {}).get("status", volume["status"]), updated_at=api.now())
        return web.Response(status=202)
    if "os-set_bootable" in data:
        volume["bootable"] = str((data["os-set_bootable"] or {}).get("bootable")).lower() == "true"
        return web.Response(status=200)
    raise fail(400, f"There is no such action: {', '.join(data)}")


async def upload_to_image(request: web.Request, volume: dict, spec: dict) -> web.Response:
    cloud: Cloud = request.app["cloud"]
    if not spec.get("image_name"):
        raise fail(400, "No image_name was specified in request.")
    disk_format = spec.get("disk_format", "raw")
    if disk_format not in DISK_FORMATS:
        raise fail(400, f"Invalid disk-format '{disk_format}' specified (the lab only uploads raw images).")
    if volume["status"] != "available":
        raise fail(400, f"Invalid volume: Volume {volume['id']} status must be available")
    visibility = spec.get("visibility", "private")
    extra = {}
    if volume.get("volume_image_metadata"):
        extra = {k: v for k, v in volume["volume_image_metadata"].items() if k not in ("image_id", "image_name")}
    image = glance.new_image(cloud, request["token"].project_id, name=spec["image_name"],
                             disk_format=disk_format, container_format=spec.get("container_format", "bare"),
                             visibility=visibility, protected=bool(spec.get("protected", False)), **extra)
    volume.update(status="uploading", updated_at=api.now())
    cloud.later(_upload(cloud, volume, image))
    vtype = next((t for t in cloud.volume_types.values() if t["name"] == volume["volume_type"]), None)
    body = {"id": volume["id"], "updated_at": volume["updated_at"], "status": "uploading",
            "display_description": volume["description"], "size": volume["size"],
            "volume_type": {"id": vtype["id"], "name": vtype["name"], "description": vtype["description"],
                            "is_public": True, "extra_specs": vtype["extra_specs"], "deleted": False,
                            "qos_specs_id": None} if vtype else None,
            "image_id": image["id"], "container_format": image["container_format"], "disk_format": disk_format,
            "image_name": image["name"], "visibility": visibility, "protected": image["protected"]}
    return reply(request, {"os-volume_upload_image": body}, status=202)


async def _upload(cloud: Cloud, volume: dict, image: dict) -> None:
    try:
        await glance.fill_from(cloud, image, Path(volume["file"]), volume["content_key"])
    finally:
        volume.update(status="available", updated_at=api.now())


def snapshot_view(snap: dict, version: tuple[int, int]) -> dict:
    view = {"id": snap["id"], "name": snap["name"], "description": snap["description"], "status": snap["status"],
            "size": snap["size"], "volume_id": snap["volume_id"], "created_at": snap["created_at"],
            "updated_at": snap["updated_at"], "metadata": snap["metadata"],
            "os-extended-snapshot-attributes:progress": "100%" if snap["status"] == "available" else "0%",
            "os-extended-snapshot-attributes:project_id": snap["project_id"]}
    if version >= (3, 41):
        view["user_id"] = snap["user_id"]
    if version >= (3, 14):
        view["group_snapshot_id"] = None
    if version >= (3, 65):
        view["consumes_quota"] = True
    return view


def visible_snapshots(request: web.Request) -> list:
    project_id = project_of(request)
    snaps = [s for s in request.app["cloud"].snapshots.values() if s["project_id"] == project_id]
    return api.filtered(request, snaps, ("name", "status", "volume_id"))


@routes.get(PREFIX + "/snapshots")
async def list_snapshots(request):
    snaps = [{"id": s["id"], "name": s["name"], "status": s["status"]} for s in visible_snapshots(request)]
    return reply(request, api.page(request, snaps, "snapshots", request.path))


@routes.get(PREFIX + "/snapshots/detail")
async def list_snapshots_detail(request):
    version = MICROVERSION.of(request)
    snaps = [snapshot_view(s, version) for s in visible_snapshots(request)]
    return reply(request, api.page(request, snaps, "snapshots", request.path))


@routes.get(PREFIX + "/snapshots/{snapshot_id}")
async def get_snapshot(request):
    snap = find(request, "snapshots", "snapshot_id", "Snapshot")
    return reply(request, {"snapshot": snapshot_view(snap, MICROVERSION.of(request))})


@routes.post(PREFIX + "/snapshots")
async def create_snapshot(request):
    cloud: Cloud = request.app["cloud"]
    project_id = project_of(request)
    spec = (await api.body(request)).get("snapshot") or {}
    volume = cloud.volumes.get(spec.get("volume_id") or "")
    if volume is None or not cloud.visible(request["token"], volume["project_id"]):
        raise fail(404, f"Volume {spec.get('volume_id')} could not be found.")
    if volume["status"] not in ("available", "in-use"):  # in-use needs no force since microversion 3.66
        raise fail(400, f"Invalid volume: Volume {volume['id']} status must be available or in-use, "
                   f"but current status is: {volume['status']}.")
    stamp = api.now()
    snap = {"id": str(uuid.uuid4()), "name": spec.get("name"), "description": spec.get("description"),
            "status": "creating", "size": volume["size"], "volume_id": volume["id"], "project_id": project_id,
            "user_id": request["token"].user_id, "metadata": spec.get("metadata") or {}, "created_at": stamp,
            "updated_at": stamp}
    cloud.snapshots[snap["id"]] = snap
    cloud.later(take_snapshot(cloud, volume, snap))
    return reply(request, {"snapshot": snapshot_view(snap, MICROVERSION.of(request))}, status=202)


async def take_snapshot(cloud: Cloud, volume: dict, snap: dict) -> None:
    target = cloud.new_file("snapshots", snap["id"])
    await asyncio.to_thread(disks.sparse_copy, Path(volume["file"]), target)
    await cloud.pause()
    snap.update(file=str(target), content_key=volume["content_key"], status="available", updated_at=api.now())


@routes.delete(PREFIX + "/snapshots/{snapshot_id}")
async def delete_snapshot(request):
    cloud: Cloud = request.app["cloud"]
    snap = find(request, "snapshots", "snapshot_id", "Snapshot")
    if snap["status"] not in ("available", "error"):
        raise fail(400, f"Invalid snapshot: Snapshot {snap['id']} status must be available or error.")
    snap.update(status="deleting", updated_at=api.now())
    cloud.later(remove_later(cloud, cloud.snapshots, snap))
    return web.Response(status=202)

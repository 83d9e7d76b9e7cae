"""Nova server actions: os-start, os-stop, reboot and createImage.

Power changes pass through a task state (powering-off, powering-on, rebooting) before the
status changes, like Nova. createImage of an image-booted server copies its root disk into
a new Glance image; of a volume-booted server it snapshots each volume in Cinder and makes
an empty image whose `block_device_mapping` property lists the snapshots.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path

from aiohttp import web

from lab.openstack import api, cinder_actions, disks, glance
from lab.openstack.cloud import Cloud
from lab.openstack.nova import MICROVERSION, PREFIX, STATES, find_server, reply

routes = web.RouteTableDef()
POWER = {  # action -> (status required, task state while running, status after)
    "os-stop": ("ACTIVE", "powering-off", "SHUTOFF"),
    "os-start": ("SHUTOFF", "powering-on", "ACTIVE"),
    "reboot": ("ACTIVE", "rebooting", "ACTIVE"),
}


def conflict(server: dict, action: str) -> web.HTTPException:
    vm_state = STATES[server["status"]][0]
    return api.fault("nova", 409, f"Cannot '{action}' instance {server['id']} while it is in "
                     f"{'task_state ' + server['task_state'] if server.get('task_state') else 'vm_state ' + vm_state}")


@routes.post(PREFIX + "/servers/{server_id}/action")
async def server_action(request):
    cloud: Cloud = request.app["cloud"]
    server = find_server(request)
    data = await api.body(request)
    action = next(iter(data), None)
    if action in POWER:
        required, task_state, after = POWER[action]
        if server["status"] != required or server.get("task_state"):
            raise conflict(server, action.removeprefix("os-"))
        server.update(task_state=task_state, updated=api.now())
        cloud.later(_finish_power(cloud, server, after))
        return web.Response(status=202, headers=MICROVERSION.headers(MICROVERSION.of(request)))
    if action == "createImage":
        return await create_image(request, cloud, server, data["createImage"] or {})
    raise api.fault("nova", 400, f"Invalid action for the lab's Nova: {action}")


async def _finish_power(cloud: Cloud, server: dict, status: str) -> None:
    await cloud.pause()
    server.update(status=status, task_state=None, updated=api.now())


async def create_image(request: web.Request, cloud: Cloud, server: dict, spec: dict) -> web.Response:
    if not spec.get("name"):
        raise api.fault("nova", 400, "Invalid input for field/attribute name.")
    if server["status"] not in ("ACTIVE", "SHUTOFF") or server.get("task_state"):
        raise conflict(server, "createImage")
    props = {"image_type": "snapshot", "instance_uuid": server["id"], "user_id": request["token"].user_id,
             "owner_project_name": cloud.projects[server["project_id"]]["name"], **(spec.get("metadata") or {})}
    if server["root_disk"]:
        base = cloud.images.get(server["image_id"] or "") or {}
        image = glance.new_image(cloud, server["project_id"], name=spec["name"], visibility="private",
                                 disk_format=base.get("disk_format", "raw"), container_format="bare",
                                 base_image_ref=server["image_id"] or "", **props)
        server["task_state"] = "image_snapshot"
        cloud.later(_snapshot_root_disk(cloud, server, image))
    else:
        image = glance.new_image(cloud, server["project_id"], name=spec["name"], visibility="private",
                                 disk_format="raw", container_format="bare", bdm_v2="True", root_device_name="/dev/vda",
                                 **props)
        mappings = []
        for index, attached in enumerate(server["volumes"]):
            volume = cloud.volumes[attached["id"]]
            snap = {"id": str(uuid.uuid4()), "name": f"snapshot for {spec['name']}", "description": None,
                    "status": "creating", "size": volume["size"], "volume_id": volume["id"],
                    "project_id": volume["project_id"], "user_id": request["token"].user_id, "metadata": {},
                    "created_at": api.now(), "updated_at": api.now()}
            cloud.snapshots[snap["id"]] = snap
            cloud.later(cinder_actions.take_snapshot(cloud, volume, snap))
            mappings.append({"source_type": "snapshot", "destination_type": "volume", "snapshot_id": snap["id"],
                             "volume_size": volume["size"], "device_name": attached["device"], "boot_index": 0 if index == 0 else None,
                             "delete_on_termination": False, "volume_type": None, "tag": None, "disk_bus": "virtio"})
        image["properties"]["block_device_mapping"] = json.dumps(mappings)
        cloud.later(_empty_image(cloud, image))
    if MICROVERSION.of(request) >= (2, 45):
        return reply(request, {"image_id": image["id"]}, status=202)
    location = f"{api.base_url(request)}/image/v2/images/{image['id']}"
    return web.Response(status=202, headers={"Location": location, **MICROVERSION.headers(MICROVERSION.of(request))})


async def _snapshot_root_disk(cloud: Cloud, server: dict, image: dict) -> None:
    try:
        await glance.fill_from(cloud, image, Path(server["root_disk"]["file"]), server["root_disk"]["content_key"])
    finally:
        server["task_state"] = None


async def _empty_image(cloud: Cloud, image: dict) -> None:
    await cloud.pause()
    path = cloud.new_file("images", image["id"])
    key = disks.create_empty(path, 0)
    image.update(file=str(path), content_key=key, status="active", updated_at=api.now(), **cloud.digests.full(key, path))

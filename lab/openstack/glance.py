"""Glance v2: images (create, list, get, update, delete) and their bytes (upload, download).

An image's status goes queued -> saving -> active while its bytes are written, whether they
come from a client's PUT, from Cinder's os-volume_upload_image or from Nova's createImage.
"""

from __future__ import annotations

import uuid
from pathlib import Path

from aiohttp import web

from lab.openstack import api, disks
from lab.openstack.cloud import Cloud

routes = web.RouteTableDef()
PREFIX = "/image/v2"
CORE = ("id", "name", "status", "visibility", "protected", "os_hidden", "owner", "disk_format", "container_format",
        "min_ram", "min_disk", "tags", "created_at", "updated_at")
WRITABLE = ("name", "visibility", "protected", "os_hidden", "disk_format", "container_format", "min_ram", "min_disk",
            "tags")


def fail(status: int, message: str) -> web.HTTPException:
    return api.fault("glance", status, message)


@routes.get("/image")
@routes.get("/image/")
@routes.get("/image/versions")
async def versions(request):
    href = f"{api.base_url(request)}/image/v2/"
    values = [{"id": f"v2.{n}", "status": "CURRENT" if n == 16 else "SUPPORTED", "links": [{"rel": "self", "href": href}]}
              for n in (16, 15, 9, 0)]
    return api.reply({"versions": values}, status=300 if request.path != "/image/versions" else 200)


def new_image(cloud: Cloud, owner: str, **fields) -> dict:
    stamp = api.now()
    image = {"id": fields.pop("id", None) or str(uuid.uuid4()), "name": None, "status": "queued",
             "visibility": "shared", "protected": False, "os_hidden": False, "owner": owner, "disk_format": None,
             "container_format": None, "min_ram": 0, "min_disk": 0, "tags": [], "created_at": stamp,
             "updated_at": stamp, "size": None, "properties": {}}
    for key, value in fields.items():
        if key in CORE:
            image[key] = value
        else:
            image["properties"][key] = value
    cloud.images[image["id"]] = image
    return image


async def fill_from(cloud: Cloud, image: dict, source: Path, content_key: str) -> None:
    """Give image the bytes of source (a volume's or disk's file), going through `saving`."""
    await cloud.pause()
    image.update(status="saving", updated_at=api.now())
    target = cloud.new_file("images", image["id"])
    digests = await cloud.copy_with_digests(source, content_key, target)
    if image["id"] not in cloud.images:  # deleted while saving
        target.unlink(missing_ok=True)
        return
    image.update(file=str(target), content_key=content_key, status="active", updated_at=api.now(), **digests)


def image_view(image: dict) -> dict:
    view = {key: image.get(key) for key in CORE}
    view.update(image.get("properties", {}))
    has_data = image["status"] == "active" and image.get("file")
    view.update({
        "size": image.get("size") if has_data else None, "virtual_size": image.get("size") if has_data else None,
        "checksum": image.get("md5") if has_data else None, "os_hash_algo": "sha512" if has_data else None,
        "os_hash_value": image.get("sha512") if has_data else None, "self": f"/v2/images/{image['id']}",
        "file": f"/v2/images/{image['id']}/file", "schema": "/v2/schemas/image", "stores": "file" if has_data else None,
    })
    if not has_data:
        view.pop("stores")
    return view


def find_image(request: web.Request) -> dict:
    cloud: Cloud = request.app["cloud"]
    image = cloud.images.get(request.match_info["image_id"])
    if image is None or not (image["visibility"] in ("public", "community")
                             or cloud.visible(request["token"], image["owner"])):
        raise fail(404, f"No image found with ID {request.match_info['image_id']}")
    return image


def owned(request: web.Request, image: dict) -> dict:
    if not request.app["cloud"].visible(request["token"], image["owner"]):
        raise fail(403, "You are not permitted to modify this image.")
    return image


@routes.get(PREFIX + "/images")
async def list_images(request):
    cloud: Cloud = request.app["cloud"]
    token = request["token"]
    images = [image_view(i) for i in cloud.images.values()
              if i["visibility"] in ("public", "community") or cloud.visible(token, i["owner"])]
    images = api.filtered(request, images, ("name", "status", "visibility", "owner", "disk_format", "container_format"))
    images = api.time_filtered(request, images, "updated_at", {"updated_at": "eq"})
    images = api.time_filtered(request, images, "created_at", {"created_at": "eq"})
    result = api.page(request, images, "images", "/v2/images")
    result.update(first="/v2/images", schema="/v2/schemas/images")
    for link in result.pop("images_links", []):
        result["next"] = link["href"][len(api.base_url(request)):]
    return api.reply(result)


@routes.post(PREFIX + "/images")
async def create_image(request):
    data = await api.body(request)
    for key in ("status", "owner", "size", "checksum", "self", "file", "schema"):
        if key in data:
            raise fail(403, f"Attribute '{key}' is read-only.")
    image = new_image(request.app["cloud"], request["token"].project_id, **data)
    return api.reply(image_view(image), status=201, headers={"Location": f"{api.base_url(request)}{PREFIX}/images/{image['id']}"})


@routes.get(PREFIX + "/images/{image_id}")
async def get_image(request):
    return api.reply(image_view(find_image(request)))


@routes.patch(PREFIX + "/images/{image_id}")
async def update_image(request):
    image = owned(request, find_image(request))
    try:
        changes = await request.json()
    except ValueError:
        changes = None
    if not isinstance(changes, list):
        raise fail(400, "Expected a JSON-patch list (application/openstack-images-v2.1-json-patch).")
    for change in changes:
        key = str(change.get("path", "")).lstrip("/")
        if change.get("op") in ("add", "replace"):
            if key in WRITABLE:
                image[key] = change.get("value")
            elif key in CORE or key in ("size", "checksum", "virtual_size"):
                raise fail(403, f"Attribute '{key}' is read-only.")
            else:
                image["properties"][key] = change.get("value")
        elif change.get("op") == "remove":
            if image["properties"].pop(key, None) is None:
                raise fail(409, f"Property {key} does not exist.")
        else:
            raise fail(400, f"Unsupported patch operation: {change.get('op')}")
    image["updated_at"] = api.now()
    return api.reply(image_view(image))


@routes.delete(PREFIX + "/images/{image_id}")
async def delete_image(request):
    cloud: Cloud = request.app["cloud"]
    image = owned(request, find_image(request))
    if image["protected"]:
        raise fail(403, f"Image {image['id']} is protected and cannot be deleted.")
    del cloud.images[image["id"]]
    if image.get("file"):
        Path(image["file"]).unlink(missing_ok=True)
    return web.Response(status=204)


@routes.put(PREFIX + "/images/{image_id}/file")
async def upload_image_data(request):
    cloud: Cloud = request.app["cloud"]
    image = owned(request, find_image(request))
    if image["status"] != "queued":
        raise fail(409, f"Image status transition from {image['status']} to saving is not allowed")
    image.update(status="saving", updated_at=api.now())
    target = cloud.new_file("images", image["id"])
    digests = disks.Digests()
    with open(target, "wb") as out:
        async for chunk in request.content.iter_chunked(disks.CHUNK):
            digests.update(chunk)
            if chunk.count(0) == len(chunk):
                out.seek(len(chunk), 1)  # leave a hole
            else:
                out.write(chunk)
        out.truncate(digests.size)
    values = digests.result()
    key = f"upload:{values['blake3']}:{values['size']}"
    cloud.digests.put(key, values)
    image.update(file=str(target), content_key=key, status="active", updated_at=api.now(), **values)
    return web.Response(status=204)


@routes.get(PREFIX + "/images/{image_id}/file")
async def download_image_data(request):
    image = find_image(request)
    if image["status"] != "active" or not image.get("file"):
        return web.Response(status=204)
    return await send_file(request, Path(image["file"]), {"Content-MD5": image["md5"]})


async def send_file(request: web.Request, path: Path, headers: dict) -> web.StreamResponse:
    """Stream a file, honouring a single `Range`.

    aiohttp's FileResponse falls back to small executor reads under TLS (~40 MB/s here);
    plain 4 MiB writes reach several times that.
    """
    size = path.stat().st_size
    try:
        wanted = request.http_range
    except ValueError:
        raise fail(416, "Invalid Range header") from None
    start, stop = wanted.start or 0, size if wanted.stop is None else min(wanted.stop, size)
    if start < 0:
        start, stop = max(size + start, 0), size
    partial = request.headers.get("Range") is not None
    if partial and start >= size:
        raise web.HTTPRequestRangeNotSatisfiable(headers={"Content-Range": f"bytes */{size}"})
    response = web.StreamResponse(status=206 if partial else 200, headers={
        "Content-Type": "application/octet-stream", "Content-Length": str(stop - start), "Accept-Ranges": "bytes",
        **({"Content-Range": f"bytes {start}-{stop - 1}/{size}"} if partial else headers)})
    await response.prepare(request)
    with open(path, "rb") as f:
        f.seek(start)
        remaining = stop - start
        while remaining > 0:
            chunk = f.read(min(disks.CHUNK, remaining))
            if not chunk:
                break
            await response.write(chunk)
            remaining -= len(chunk)
    await response.write_eof()
    return response


@routes.get(PREFIX + "/schemas/image")
async def image_schema(request):
    props = {key: {"type": ["null", "string"]} for key in CORE}
    return api.reply({"name": "image", "properties": props, "additionalProperties": {"type": "string"}})

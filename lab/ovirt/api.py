"""The REST API under /ovirt-engine/api: generic reads, dispatch of writes to lab.ovirt.handlers.

Reads: `GET <collection>` with `search`, `max`, `case_sensitive`, `follow` (and `from` for
events, newest first), `GET <entity>` with `follow`, every linked sub-collection.
Writes and actions are the handlers registered by lab.ovirt.power and lab.ovirt.transfers.
"""

from __future__ import annotations

import datetime
import logging

from aiohttp import web

from lab.ovirt import power, transfers  # noqa: F401 - importing registers their handlers
from lab.ovirt.handlers import ACTION, CREATE, REMOVE, UPDATE, XML, Engine, Fault, not_found
from lab.ovirt.schema import ACTIONS, API_PREFIX, TAG, pattern_of
from lab.ovirt.search import SearchError, matcher
from lab.ovirt.xmlio import Writer, action_result, parse_body, parse_follow

log = logging.getLogger("ovirt-engine.api")

ENGINE = web.AppKey("engine", Engine)
ROOT_LINKS = [
    "clusters", "datacenters", "disks", "diskprofiles", "cpuprofiles", "events", "hosts", "imagetransfers",
    "networks", "storagedomains", "templates", "vms", "vnicprofiles", "users",
]


def setup(app: web.Application, config: dict, store) -> None:
    app[ENGINE] = Engine(store=store, config=config)
    app.router.add_route("*", API_PREFIX, handle)
    app.router.add_route("*", API_PREFIX + "/{tail:.*}", handle)
    app.on_cleanup.append(transfers.stop_all)


def _xml(text: str, status: int = 200) -> web.Response:
    return web.Response(status=status, text=text, content_type=XML, charset="UTF-8")


async def handle(request: web.Request) -> web.Response:
    engine = request.app[ENGINE]
    path = request.match_info.get("tail", "").strip("/")
    try:
        if not path:
            return _xml(_root(engine))
        if request.method == "GET":
            return await _read(engine, path, request.query)
        body = await request.read()
        return await _write(engine, request.method, path, body, request.query)
    except Fault as error:
        return error.response()
    except SearchError as error:
        return Fault(400, str(error)).response()


def _root(engine: Engine) -> str:
    store = engine.store
    writer = Writer(store)
    out = writer.out
    out.append(f'<api href="{API_PREFIX}">')
    out.extend(f'<link href="{API_PREFIX}/{rel}" rel="{rel}"/>' for rel in ROOT_LINKS)
    out.append(f'<link href="{API_PREFIX}/vms?search={{query}}" rel="vms/search"/>')
    writer.value("product_info", {
        "instance_id": "b4c1a5f0-0000-4000-8000-00000000e61e", "name": "oVirt Engine", "vendor": "ovirt.org",
        "version": {"build": 4, "full_version": "4.5.4-1.el8", "major": 4, "minor": 5, "revision": 0},
    })
    vms = store.top("vms")
    hosts = store.top("hosts")
    writer.value("summary", {
        "hosts": {"active": sum(h["status"] == "up" for h in hosts), "total": len(hosts)},
        "storage_domains": {"active": len(store.top("storagedomains")), "total": len(store.top("storagedomains"))},
        "users": {"active": 1, "total": 1},
        "vms": {"active": sum(v["status"] == "up" for v in vms), "total": len(vms)},
    })
    writer.value("time", datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="milliseconds"))
    writer.value("authenticated_user", {"@": "users", "id": _admin_id(store)})
    writer.value("effective_user", {"@": "users", "id": _admin_id(store)})
    out.append("</api>")
    return writer.text()


def _admin_id(store) -> str:
    return next(iter(store.collections.get("users", {})))


async def _read(engine: Engine, path: str, query) -> web.Response:
    store = engine.store
    follow = parse_follow(query.get("follow"))
    segments = path.split("/")
    if len(segments) % 2 == 1:
        items = store.collection(path)
        if items is None:
            raise not_found(path)
        pattern = pattern_of(path)
        items = _filter(store, pattern, items, query)
        return _xml(Writer(store).collection(TAG.get(pattern, pattern), items, follow).text())
    entity = store.get(path)
    if entity is None:
        raise not_found(path)
    if pattern_of(path) == "imagetransfers":
        await transfers.refresh(engine, entity)
    return _xml(Writer(store).entity(path, entity, follow=follow).text())


def _filter(store, pattern: str, items, query):
    if pattern == "events":
        if query.get("from"):
            since = int(query["from"])
            items = [(p, e) for p, e in items if int(e["id"]) > since]
        items = sorted(items, key=lambda item: int(item[1]["id"]), reverse=True)
    if query.get("search"):
        case_sensitive = query.get("case_sensitive", "false").lower() == "true"
        keep = matcher(store, pattern, query["search"], case_sensitive)
        items = [(p, e) for p, e in items if keep(e)]
    if query.get("max") not in (None, "", "-1"):
        items = items[: int(query["max"])]
    return items


async def _write(engine: Engine, method: str, path: str, body: bytes, query) -> web.Response:
    store = engine.store
    _, data = parse_body(body)
    segments = path.split("/")
    if len(segments) % 2 == 1:
        parent, _, name = path.rpartition("/")
        if method == "POST" and parent and name in ACTIONS.get(pattern_of(parent), []):
            entity = store.get(parent)
            if entity is None:
                raise not_found(parent)
            handler = ACTION.get((pattern_of(parent), name))
            if handler is None:
                raise Fault(409, f"[Cannot {name}: not simulated by the lab engine.]")
            result = await handler(engine, parent, entity, data)
            return _xml(result or action_result())
        handler = CREATE.get(pattern_of(path))
        if method != "POST" or handler is None:
            raise Fault(405, f"{method} is not supported on {path}", reason="Method Not Allowed")
        new_path, entity = await handler(engine, path, data, query)
        return _xml(Writer(store).entity(new_path, entity).text(), status=201)
    entity = store.get(path)
    if entity is None:
        raise not_found(path)
    table = {"PUT": UPDATE, "DELETE": REMOVE}.get(method, {})
    handler = table.get(pattern_of(path))
    if handler is None:
        raise Fault(405, f"{method} is not supported on {path}", reason="Method Not Allowed")
    result = await handler(engine, path, entity, data, query)
    if method == "DELETE":
        return web.Response(status=200)
    return _xml(Writer(store).entity(path, result or entity).text())

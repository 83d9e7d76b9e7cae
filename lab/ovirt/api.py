"""The REST API under /ovirt-engine/api: generic reads, dispatch of writes to lab.ovirt.handlers.

Reads: `GET <collection>` with `search`, `max`, `case_sensitive`, `follow` (and `from` for
events, newest first), `GET <entity>` with `follow`, every linked sub-collection.
Writes and actions are the handlers registered by lab.ovirt.power and lab.ovirt.transfers.
"""

from __future__ import annotations

import datetime
import json
import logging
from xml.etree.ElementTree import ParseError

from aiohttp import web

from lab.ovirt import jsonio, power, transfers  # noqa: F401 - importing registers their handlers
from lab.ovirt.handlers import ACTION, CREATE, REMOVE, UPDATE, XML, Engine, Fault, not_found
from lab.ovirt.jsonio import JsonWriter
from lab.ovirt.schema import ACTIONS, API_PREFIX, TAG, pattern_of
from lab.ovirt.search import SearchError, matcher
from lab.ovirt.xmlio import Writer, action_result, fault, parse_body, parse_follow

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


class Output:
    """Writes responses as XML (what ovirtsdk4 asks for) or JSON (`Accept: application/json`)."""

    def __init__(self, store, as_json: bool):
        self.store, self.as_json = store, as_json

    def respond(self, text: str, status: int = 200) -> web.Response:
        content_type = "application/json" if self.as_json else XML
        return web.Response(status=status, text=text, content_type=content_type, charset="UTF-8")

    def collection(self, tag: str, items, follow: dict) -> web.Response:
        writer = JsonWriter(self.store) if self.as_json else Writer(self.store)
        result = writer.collection(tag, items, follow)
        return self.respond(result if self.as_json else result.text())

    def entity(self, path: str, entity: dict, follow: dict | None = None, status: int = 200) -> web.Response:
        if self.as_json:
            return self.respond(JsonWriter(self.store).document(path, entity, follow), status)
        return self.respond(Writer(self.store).entity(path, entity, follow=follow).text(), status)

    def action(self) -> web.Response:
        return self.respond(jsonio.action_result() if self.as_json else action_result())

    def fault(self, error: Fault) -> web.Response:
        render = jsonio.fault if self.as_json else fault
        return self.respond(render(error.reason, error.detail), error.status)

    def root(self) -> web.Response:
        api = _root(self.store)
        links = [{"href": f"{API_PREFIX}/{rel}", "rel": rel} for rel in ROOT_LINKS]
        if self.as_json:
            writer = JsonWriter(self.store)
            body = {key: writer.value(key, value) for key, value in api.items()}
            return self.respond(json.dumps({**body, "link": links}))
        writer = Writer(self.store)
        writer.out.append(f'<api href="{API_PREFIX}">')
        writer.out.extend(f'<link href="{link["href"]}" rel="{link["rel"]}"/>' for link in links)
        for key, value in api.items():
            writer.value(key, value)
        writer.out.append("</api>")
        return self.respond(writer.text())


async def handle(request: web.Request) -> web.Response:
    engine = request.app[ENGINE]
    accept = request.headers.get("Accept", "")
    output = Output(engine.store, "json" in accept and "xml" not in accept)
    path = request.match_info.get("tail", "").strip("/")
    try:
        if not path:
            return output.root()
        if request.method == "GET":
            return await _read(engine, output, path, request.query)
        body = await request.read()
        return await _write(engine, output, request.method, path, body, request.query)
    except Fault as error:
        return output.fault(error)
    except (SearchError, ValueError, ParseError) as error:  # a request the engine cannot read
        return output.fault(Fault(400, str(error), reason="Bad Request"))


def _root(store) -> dict:
    vms, hosts, domains = store.top("vms"), store.top("hosts"), store.top("storagedomains")
    admin = {"@": "users", "id": next(iter(store.collections.get("users", {})))}
    return {
        "product_info": {
            "instance_id": "b4c1a5f0-0000-4000-8000-00000000e61e", "name": "oVirt Engine", "vendor": "ovirt.org",
            "version": {"build": 4, "full_version": "4.5.4-1.el8", "major": 4, "minor": 5, "revision": 0},
        },
        "summary": {
            "hosts": {"active": sum(h["status"] == "up" for h in hosts), "total": len(hosts)},
            "storage_domains": {"active": len(domains), "total": len(domains)},
            "users": {"active": 1, "total": 1},
            "vms": {"active": sum(v["status"] == "up" for v in vms), "total": len(vms)},
        },
        "time": datetime.datetime.now(datetime.UTC).isoformat(timespec="milliseconds"),
        "authenticated_user": admin,
        "effective_user": admin,
    }


async def _read(engine: Engine, output: Output, path: str, query) -> web.Response:
    store = engine.store
    follow = parse_follow(query.get("follow"))
    segments = path.split("/")
    if len(segments) % 2 == 1:
        items = store.collection(path)
        if items is None:
            raise not_found(path)
        pattern = pattern_of(path)
        items = _filter(store, pattern, items, query)
        return output.collection(TAG.get(pattern, pattern), items, follow)
    entity = store.get(path)
    if entity is None:
        raise not_found(path)
    if pattern_of(path) == "imagetransfers":
        await transfers.refresh(engine, entity)
    return output.entity(path, entity, follow)


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


async def _write(engine: Engine, output: Output, method: str, path: str, body: bytes, query) -> web.Response:
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
            await handler(engine, parent, entity, data)
            return output.action()
        handler = CREATE.get(pattern_of(path))
        if method != "POST" or handler is None:
            raise Fault(405, f"{method} is not supported on {path}", reason="Method Not Allowed")
        if parent and store.get(parent) is None:
            raise not_found(parent)
        new_path, entity = await handler(engine, path, data, query)
        return output.entity(new_path, entity, status=201)
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
    return output.entity(path, result or entity)

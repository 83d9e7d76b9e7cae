"""Helpers every simulated service shares: JSON replies, errors, paging, microversions."""

from __future__ import annotations

import datetime
import json
import re

from aiohttp import web

UNAUTHORIZED = "The request you have made requires authentication."


def now() -> str:
    return datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def reply(body, status: int = 200, headers: dict | None = None) -> web.Response:
    return web.Response(status=status, text=json.dumps(body), content_type="application/json", headers=headers)


def base_url(request: web.Request) -> str:
    """scheme://host:port the client used, so links work over http and https alike."""
    return f"{request.scheme}://{request.host}"


async def body(request: web.Request) -> dict:
    try:
        data = await request.json()
    except ValueError:
        data = None
    if not isinstance(data, dict):
        raise web.HTTPBadRequest(text=json.dumps({"badRequest": {"code": 400, "message": "Malformed request body"}}),
                                 content_type="application/json")
    return data


def fault(style: str, status: int, message: str) -> web.HTTPException:
    """An aiohttp exception carrying an error body shaped like the named service's."""
    cls = web.HTTPException
    for candidate in (web.HTTPBadRequest, web.HTTPUnauthorized, web.HTTPForbidden, web.HTTPNotFound,
                      web.HTTPMethodNotAllowed, web.HTTPNotAcceptable, web.HTTPConflict):
        if candidate.status_code == status:
            cls = candidate
    if style == "keystone":
        titles = {400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 409: "Conflict"}
        payload = {"error": {"code": status, "message": message, "title": titles.get(status, "Error")}}
    elif style == "neutron":
        kinds = {400: "BadRequest", 403: "Forbidden", 404: "NotFound", 409: "Conflict"}
        payload = {"NeutronError": {"type": kinds.get(status, "Error"), "message": message, "detail": ""}}
    elif style == "glance":  # glance answers with webob's plain-text pages
        return cls(text=f"{status} {cls.__name__[4:]}\n\n{message}\n\n   ", content_type="text/plain")
    else:  # nova and cinder
        keys = {400: "badRequest", 403: "forbidden", 404: "itemNotFound", 406: "notAcceptable", 409: "conflictingRequest"}
        payload = {keys.get(status, "computeFault"): {"code": status, "message": message}}
    return cls(text=json.dumps(payload), content_type="application/json")


def unauthorized() -> web.HTTPUnauthorized:
    return fault("keystone", 401, UNAUTHORIZED)


def page(request: web.Request, items: list, collection: str, path: str) -> dict:
    """Apply `marker`/`limit` and add the `<collection>_links` next link the SDKs follow."""
    marker, limit = request.query.get("marker"), request.query.get("limit")
    if marker:
        ids = [i["id"] for i in items]
        if marker not in ids:
            raise fault("nova", 400, f"marker [{marker}] not found")
        items = items[ids.index(marker) + 1:]
    result = {collection: items}
    if limit is not None:
        try:
            count = int(limit)
        except ValueError:
            raise fault("nova", 400, "limit param must be an integer") from None
        if len(items) > count:
            items = items[:count]
            query = {k: v for k, v in request.query.items() if k != "marker"}
            query["marker"] = items[-1]["id"]
            qs = "&".join(f"{k}={v}" for k, v in query.items())
            result = {collection: items, f"{collection}_links": [{"rel": "next", "href": f"{base_url(request)}{path}?{qs}"}]}
    return result


def filtered(request: web.Request, items: list, fields: tuple[str, ...], regex: tuple[str, ...] = ()) -> list:
    """Keep items whose listed fields equal the query parameters (regex search for `regex` fields)."""
    for name in fields:
        wanted = request.query.get(name)
        if wanted is None:
            continue
        if name in regex:
            items = [i for i in items if re.search(wanted, str(i.get(name) or ""))]
        else:
            items = [i for i in items if str(i.get(name)).lower() == wanted.lower()]
    return items


def _moment(text: str) -> datetime.datetime:
    try:
        moment = datetime.datetime.fromisoformat(text.strip().replace(" ", "+"))
    except ValueError:
        raise fault("nova", 400, f"Invalid timestamp: {text}") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=datetime.UTC)


COMPARE = {"gt": lambda a, b: a > b, "gte": lambda a, b: a >= b, "lt": lambda a, b: a < b,
           "lte": lambda a, b: a <= b, "eq": lambda a, b: a == b, "neq": lambda a, b: a != b}


def time_filtered(request: web.Request, items: list, field: str, params: dict[str, str]) -> list:
    """`changes-since`-style filters: params maps a query name to "gte"/"lt"/...; a query value
    may also carry its own operator (`updated_at=gte:2024-05-02T09:30:00Z`, Glance and Cinder)."""
    for name, default_op in params.items():
        value = request.query.get(name)
        if value is None:
            continue
        op, _, stamp = value.partition(":") if value.split(":", 1)[0] in COMPARE else (default_op, "", value)
        limit = _moment(stamp)
        items = [i for i in items if i.get(field) and COMPARE[op](_moment(i[field]), limit)]
    return items


class Microversion:
    """Parses and answers the OpenStack-API-Version header for one service."""

    def __init__(self, service: str, legacy_header: str | None, minimum: str, maximum: str, style: str):
        self.service, self.legacy_header, self.style = service, legacy_header, style
        self.minimum, self.maximum = parse_version(minimum), parse_version(maximum)

    def of(self, request: web.Request) -> tuple[int, int]:
        wanted = None
        for part in request.headers.getall("OpenStack-API-Version", []):
            for item in part.split(","):
                words = item.split()
                if len(words) == 2 and words[0].lower() == self.service:
                    wanted = words[1]
        if wanted is None and self.legacy_header:
            wanted = request.headers.get(self.legacy_header)
        if wanted is None:
            return self.minimum
        if wanted == "latest":
            return self.maximum
        version = parse_version(wanted)
        if not self.minimum <= version <= self.maximum:
            raise fault(self.style, 406, f"Version {wanted} is not supported by the API. Minimum is "
                        f"{fmt_version(self.minimum)} and maximum is {fmt_version(self.maximum)}.")
        return version

    def headers(self, version: tuple[int, int]) -> dict:
        headers = {"OpenStack-API-Version": f"{self.service} {fmt_version(version)}",
                   "Vary": f"OpenStack-API-Version{', ' + self.legacy_header if self.legacy_header else ''}"}
        if self.legacy_header:
            headers[self.legacy_header] = fmt_version(version)
        return headers


def parse_version(text: str) -> tuple[int, int]:
    try:
        major, minor = text.strip().lower().lstrip("v").split(".")
        return int(major), int(minor)
    except ValueError:
        raise fault("nova", 400, f"Invalid API version request: {text}") from None


def fmt_version(version: tuple[int, int]) -> str:
    return f"{version[0]}.{version[1]}"

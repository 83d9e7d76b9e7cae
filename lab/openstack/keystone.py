"""Keystone v3: version discovery, the five ways to get a token, token validation, catalog.

Auth methods (POST /v3/auth/tokens): `password` (user by id, or name + domain; project
scope by id or name + domain), `token` (rescoping an existing token: the guide's "token
with user ID" / "token with user name" secrets both end up here) and
`application_credential` (by id, or by name + user). Wrong secrets get Keystone's 401.
"""

from __future__ import annotations

import datetime

from aiohttp import web

from lab.openstack import api
from lab.openstack.cloud import Cloud, Token

routes = web.RouteTableDef()
VERSION = "3.14"


def fail(status: int = 401, message: str = api.UNAUTHORIZED) -> web.HTTPException:
    return api.fault("keystone", status, message)


def v3_document(request: web.Request) -> dict:
    return {"id": f"v{VERSION}", "status": "stable", "updated": "2020-04-07T00:00:00Z",
            "links": [{"rel": "self", "href": f"{api.base_url(request)}/v3/"}],
            "media-types": [{"base": "application/json", "type": "application/vnd.openstack.identity-v3+json"}]}


@routes.get("/")
async def versions(request):
    return api.reply({"versions": {"values": [v3_document(request)]}}, status=300)


@routes.get("/v3")
@routes.get("/v3/")
async def version(request):
    return api.reply({"version": v3_document(request)})


def catalog(request: web.Request, cloud: Cloud, project_id: str) -> list:
    base = api.base_url(request)
    services = [
        ("identity", "keystone", f"{base}/v3"),
        ("compute", "nova", f"{base}/compute/v2.1"),
        ("block-storage", "cinder", f"{base}/volume/v3/{project_id}"),
        ("volumev3", "cinderv3", f"{base}/volume/v3/{project_id}"),
        ("image", "glance", f"{base}/image"),
        ("network", "neutron", f"{base}/network"),
    ]
    region = cloud.world["region"]
    return [{"id": f"{name}-service", "type": kind, "name": name,
             "endpoints": [{"id": f"{name}-public", "interface": "public", "region": region, "region_id": region,
                            "url": url}]} for kind, name, url in services]


def iso(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def token_body(request: web.Request, cloud: Cloud, token: Token, with_catalog: bool = True) -> dict:
    user = cloud.users[token.user_id]
    domain = {"id": "default", "name": "Default"}
    body = {"methods": token.methods, "audit_ids": token.audit_ids, "issued_at": iso(token.issued_at),
            "expires_at": iso(token.expires_at),
            "user": {"id": user["id"], "name": user["name"], "domain": domain, "password_expires_at": None}}
    if token.project_id:
        project = cloud.projects[token.project_id]
        role_ids = {r["name"]: r["id"] for r in cloud.world["roles"]}
        body.update(project={"id": project["id"], "name": project["name"], "domain": domain}, is_domain=False,
                    roles=[{"id": role_ids[name], "name": name} for name in token.roles])
        if with_catalog:
            body["catalog"] = catalog(request, cloud, token.project_id)
    if token.application_credential:
        body["application_credential"] = token.application_credential
    return {"token": body}


def in_domain(cloud: Cloud, ref: dict | None, domain_id: str) -> bool:
    """Does a {"id": ...} or {"name": ...} domain reference name the domain domain_id?"""
    ref = ref or {}
    return any(d["id"] == domain_id and (ref.get("id") == d["id"] or ref.get("name") == d["name"])
               for d in cloud.world["domains"])


def find_user(cloud: Cloud, ref: dict) -> dict:
    if "id" in ref:
        user = cloud.users.get(ref["id"])
    else:
        user = next((u for u in cloud.users.values()
                     if u["name"] == ref.get("name") and in_domain(cloud, ref.get("domain"), u["domain_id"])), None)
    if user is None or not user["enabled"]:
        raise fail()
    return user


def requested_project(cloud: Cloud, scope) -> str | None:
    if not scope or scope == "unscoped":
        return None
    if "project" not in scope:
        raise fail(400, "Only project scope is available in this lab.")
    ref = scope["project"]
    if "id" in ref:
        project = cloud.projects.get(ref["id"])
    else:
        project = next((p for p in cloud.projects.values()
                        if p["name"] == ref.get("name") and in_domain(cloud, ref.get("domain"), p["domain_id"])), None)
    if project is None:
        raise fail(401, f"Could not find project: {ref.get('id') or ref.get('name')}.")
    return project["id"]


def authenticate(cloud: Cloud, auth: dict) -> Token:
    identity = auth.get("identity") or {}
    methods = identity.get("methods") or []
    scope = auth.get("scope")
    if methods == ["application_credential"]:
        ref = identity.get("application_credential") or {}
        if "id" in ref:
            cred = cloud.app_creds.get(ref["id"])
        else:
            user = find_user(cloud, ref.get("user") or {})
            cred = next((c for c in cloud.app_creds.values()
                         if c["name"] == ref.get("name") and c["user_id"] == user["id"]), None)
        if cred is None or ref.get("secret") != cred["secret"]:
            raise fail()
        if scope:
            raise fail(401, "Application credentials cannot request a scope.")
        return cloud.issue(cred["user_id"], cred["project_id"], list(cred["roles"]), ["application_credential"],
                           application_credential={"id": cred["id"], "name": cred["name"],
                                                   "restricted": not cred["unrestricted"]})
    if methods == ["password"]:
        ref = (identity.get("password") or {}).get("user") or {}
        user = find_user(cloud, ref)
        if ref.get("password") != user["password"]:
            raise fail()
        project_id, methods_out, expires = requested_project(cloud, scope), ["password"], None
    elif methods == ["token"]:
        original = cloud.token((identity.get("token") or {}).get("id"))
        if original is None:
            raise fail()
        if original.application_credential:
            raise fail(403, "Tokens created with an application credential cannot be rescoped.")
        user = cloud.users[original.user_id]
        project_id = requested_project(cloud, scope) if scope else original.project_id
        methods_out, expires = sorted(set(original.methods) | {"token"}), original.expires_at
    else:
        raise fail(401, f"Unsupported authentication methods: {methods}")
    roles = cloud.roles_of(user["id"], project_id)
    if project_id and not roles:
        raise fail(401, f"User {user['id']} has no access to project {project_id}")
    return cloud.issue(user["id"], project_id, roles, methods_out, expires_at=expires)


@routes.post("/v3/auth/tokens")
async def create_token(request):
    cloud: Cloud = request.app["cloud"]
    data = await api.body(request)
    token = authenticate(cloud, data.get("auth") or {})
    with_catalog = "nocatalog" not in request.query
    return api.reply(token_body(request, cloud, token, with_catalog), status=201, headers={"X-Subject-Token": token.id})


def caller(request: web.Request) -> Token:
    token = request.app["cloud"].token(request.headers.get("X-Auth-Token"))
    if token is None:
        raise fail()
    return token


def subject(request: web.Request) -> Token:
    caller(request)
    token = request.app["cloud"].token(request.headers.get("X-Subject-Token"))
    if token is None:
        raise fail(404, f"Could not find token: {request.headers.get('X-Subject-Token')}.")
    return token


@routes.get("/v3/auth/tokens", allow_head=False)
async def validate_token(request):
    token = subject(request)
    body = token_body(request, request.app["cloud"], token, "nocatalog" not in request.query)
    return api.reply(body, headers={"X-Subject-Token": token.id})


@routes.head("/v3/auth/tokens")
async def check_token(request):
    subject(request)
    return web.Response(status=200)


@routes.delete("/v3/auth/tokens")
async def revoke_token(request):
    token = subject(request)
    request.app["cloud"].tokens.pop(token.id, None)
    return web.Response(status=204)

"""Keystone v3 read-only resources: projects, users, domains, regions, roles, catalog."""

from __future__ import annotations

from aiohttp import web

from lab.openstack import api
from lab.openstack.keystone import caller, catalog, fail

routes = web.RouteTableDef()


def links(request: web.Request, path: str) -> dict:
    return {"self": f"{api.base_url(request)}{path}", "previous": None, "next": None}


def collection(request: web.Request, key: str, items: list) -> web.Response:
    return api.reply({key: items, "links": links(request, request.path)})


def project_view(request: web.Request, project: dict) -> dict:
    view = {k: v for k, v in project.items()}
    view.update(options={}, links={"self": f"{api.base_url(request)}/v3/projects/{project['id']}"})
    return view


def require_admin(request: web.Request):
    token = caller(request)
    if not token.is_admin:
        raise fail(403, "You are not authorized to perform the requested action: identity:list_projects.")
    return token


def my_projects(request: web.Request, user_id: str) -> list:
    cloud = request.app["cloud"]
    allowed = cloud.world["assignments"].get(user_id, {})
    return [project_view(request, p) for p in cloud.projects.values() if p["id"] in allowed]


@routes.get("/v3/auth/projects")
async def auth_projects(request):
    return collection(request, "projects", my_projects(request, caller(request).user_id))


@routes.get("/v3/auth/domains")
async def auth_domains(request):
    caller(request)
    return collection(request, "domains", request.app["cloud"].world["domains"])


@routes.get("/v3/auth/catalog")
async def auth_catalog(request):
    token = caller(request)
    if not token.project_id:
        raise fail(403, "A catalog is only available for a scoped token.")
    return api.reply({"catalog": catalog(request, request.app["cloud"], token.project_id), "links": links(request, request.path)})


@routes.get("/v3/projects")
async def list_projects(request):
    require_admin(request)
    projects = [project_view(request, p) for p in request.app["cloud"].projects.values()]
    return collection(request, "projects", api.filtered(request, projects, ("name", "domain_id", "enabled")))


@routes.get("/v3/projects/{project_id}")
async def get_project(request):
    token = caller(request)
    project = request.app["cloud"].projects.get(request.match_info["project_id"])
    if project is None or not (token.is_admin or project["id"] == token.project_id):
        raise fail(404, f"Could not find project: {request.match_info['project_id']}.")
    return api.reply({"project": project_view(request, project)})


@routes.get("/v3/users/{user_id}")
async def get_user(request):
    token = caller(request)
    user = request.app["cloud"].users.get(request.match_info["user_id"])
    if user is None or not (token.is_admin or user["id"] == token.user_id):
        raise fail(404, f"Could not find user: {request.match_info['user_id']}.")
    view = {k: v for k, v in user.items() if k != "password"}
    view.update(password_expires_at=None, options={}, links={"self": f"{api.base_url(request)}/v3/users/{user['id']}"})
    return api.reply({"user": view})


@routes.get("/v3/users/{user_id}/projects")
async def user_projects(request):
    token = caller(request)
    if token.user_id != request.match_info["user_id"] and not token.is_admin:
        raise fail(403, "You are not authorized to perform the requested action: identity:list_user_projects.")
    return collection(request, "projects", my_projects(request, request.match_info["user_id"]))


@routes.get("/v3/users/{user_id}/application_credentials")
async def list_app_creds(request):
    token = caller(request)
    if token.user_id != request.match_info["user_id"]:
        raise fail(403, "You are not authorized to perform the requested action.")
    creds = [app_cred_view(c) for c in request.app["cloud"].app_creds.values() if c["user_id"] == token.user_id]
    return collection(request, "application_credentials", api.filtered(request, creds, ("name",)))


@routes.get("/v3/users/{user_id}/application_credentials/{cred_id}")
async def get_app_cred(request):
    token = caller(request)
    cred = request.app["cloud"].app_creds.get(request.match_info["cred_id"])
    if cred is None or cred["user_id"] != token.user_id:
        raise fail(404, f"Could not find Application Credential: {request.match_info['cred_id']}.")
    return api.reply({"application_credential": app_cred_view(cred)})


def app_cred_view(cred: dict) -> dict:
    view = {k: v for k, v in cred.items() if k != "secret"}
    view["roles"] = [{"name": name} for name in cred["roles"]]
    return view


@routes.get("/v3/domains")
async def list_domains(request):
    caller(request)
    return collection(request, "domains", api.filtered(request, request.app["cloud"].world["domains"], ("name",)))


@routes.get("/v3/domains/{domain_id}")
async def get_domain(request):
    caller(request)
    domain = next((d for d in request.app["cloud"].world["domains"] if d["id"] == request.match_info["domain_id"]), None)
    if domain is None:
        raise fail(404, f"Could not find domain: {request.match_info['domain_id']}.")
    return api.reply({"domain": domain})


def region_view(request: web.Request) -> dict:
    region = request.app["cloud"].world["region"]
    return {"id": region, "description": "", "parent_region_id": None,
            "links": {"self": f"{api.base_url(request)}/v3/regions/{region}"}}


@routes.get("/v3/regions")
async def list_regions(request):
    caller(request)
    return collection(request, "regions", [region_view(request)])


@routes.get("/v3/regions/{region_id}")
async def get_region(request):
    caller(request)
    if request.match_info["region_id"] != request.app["cloud"].world["region"]:
        raise fail(404, f"Could not find region: {request.match_info['region_id']}.")
    return api.reply({"region": region_view(request)})


@routes.get("/v3/roles")
async def list_roles(request):
    caller(request)
    return collection(request, "roles", api.filtered(request, request.app["cloud"].world["roles"], ("name",)))


@routes.get("/v3/services")
async def list_services(request):
    token = caller(request)
    services = [{k: v for k, v in s.items() if k != "endpoints"} | {"enabled": True}
                for s in catalog(request, request.app["cloud"], token.project_id or "")]
    return collection(request, "services", api.filtered(request, services, ("type", "name")))


@routes.get("/v3/endpoints")
async def list_endpoints(request):
    token = caller(request)
    endpoints = [e | {"service_id": s["id"], "enabled": True}
                 for s in catalog(request, request.app["cloud"], token.project_id or "") for e in s["endpoints"]]
    return collection(request, "endpoints", api.filtered(request, endpoints, ("interface", "service_id", "region_id")))

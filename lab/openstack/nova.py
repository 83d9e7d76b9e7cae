"""Nova (compute v2.1): servers, flavors, interfaces, volume attachments, metadata.

Responses follow the requested microversion where fields differ: from 2.47 a server's
`flavor` is embedded (no id); before, it is `{id, links}`.
"""

from __future__ import annotations

from aiohttp import web

from lab.openstack import api
from lab.openstack.cloud import Cloud

routes = web.RouteTableDef()
PREFIX = "/compute/v2.1"
MICROVERSION = api.Microversion("compute", "X-OpenStack-Nova-API-Version", "2.1", "2.96", "nova")
STATES = {  # status -> (vm_state, power_state)
    "ACTIVE": ("active", 1), "SHUTOFF": ("stopped", 4), "ERROR": ("error", 0),
}


def reply(request: web.Request, body, status: int = 200, headers: dict | None = None) -> web.Response:
    return api.reply(body, status, {**MICROVERSION.headers(MICROVERSION.of(request)), **(headers or {})})


def not_found(what: str, ident: str) -> web.HTTPException:
    return api.fault("nova", 404, f"{what} {ident} could not be found.")


def version_document(request: web.Request) -> dict:
    return {"id": "v2.1", "status": "CURRENT", "version": api.fmt_version(MICROVERSION.maximum),
            "min_version": api.fmt_version(MICROVERSION.minimum), "updated": "2013-07-23T11:33:21Z",
            "links": [{"rel": "self", "href": f"{api.base_url(request)}{PREFIX}/"}],
            "media-types": [{"base": "application/json", "type": "application/vnd.openstack.compute+json;version=2.1"}]}


@routes.get("/compute")
@routes.get("/compute/")
async def versions(request):
    return api.reply({"versions": [version_document(request)]})


@routes.get(PREFIX)
@routes.get(PREFIX + "/")
async def version(request):
    return api.reply({"version": version_document(request)})


def links(request: web.Request, kind: str, ident: str) -> list:
    base = f"{api.base_url(request)}/compute"
    return [{"rel": "self", "href": f"{base}/v2.1/{kind}/{ident}"}, {"rel": "bookmark", "href": f"{base}/{kind}/{ident}"}]


def find_server(request: web.Request) -> dict:
    cloud: Cloud = request.app["cloud"]
    server = cloud.servers.get(request.match_info["server_id"])
    if server is None or not cloud.visible(request["token"], server["project_id"]):
        raise not_found("Instance", request.match_info["server_id"])
    return server


def addresses(cloud: Cloud, server: dict) -> dict:
    result: dict[str, list] = {}
    for port in (cloud.ports[p] for p in server["ports"]):
        network = cloud.networks[port["network_id"]]["name"]
        entries = result.setdefault(network, [])
        for fixed in port["fixed_ips"]:
            entries.append({"version": 4, "addr": fixed["ip_address"], "OS-EXT-IPS:type": "fixed",
                            "OS-EXT-IPS-MAC:mac_addr": port["mac_address"]})
        for fip in cloud.floatingips.values():
            if fip["port_id"] == port["id"]:
                entries.append({"version": 4, "addr": fip["floating_ip_address"], "OS-EXT-IPS:type": "floating",
                                "OS-EXT-IPS-MAC:mac_addr": port["mac_address"]})
    return result


def flavor_view(request: web.Request, flavor: dict, version: tuple[int, int]) -> dict:
    view = {"id": flavor["id"], "name": flavor["name"], "vcpus": flavor["vcpus"], "ram": flavor["ram"],
            "disk": flavor["disk"], "OS-FLV-EXT-DATA:ephemeral": 0, "swap": 0 if version >= (2, 75) else "",
            "rxtx_factor": 1.0, "os-flavor-access:is_public": True, "OS-FLV-DISABLED:disabled": False,
            "links": links(request, "flavors", flavor["id"])}
    if version >= (2, 55):
        view["description"] = None
    if version >= (2, 61):
        view["extra_specs"] = flavor["extra_specs"]
    return view


def server_view(request: web.Request, server: dict, version: tuple[int, int]) -> dict:
    cloud: Cloud = request.app["cloud"]
    flavor = cloud.flavors[server["flavor_id"]]
    if version >= (2, 47):
        flavor_ref = {"vcpus": flavor["vcpus"], "ram": flavor["ram"], "disk": flavor["disk"], "ephemeral": 0,
                      "swap": 0, "original_name": flavor["name"], "extra_specs": flavor["extra_specs"]}
    else:
        flavor_ref = {"id": flavor["id"], "links": links(request, "flavors", flavor["id"])[1:]}
    image = ""  # what Nova shows for a server booted from a volume
    if server["image_id"]:
        image = {"id": server["image_id"], "links": [{"rel": "bookmark",
                 "href": f"{api.base_url(request)}/compute/images/{server['image_id']}"}]}
    vm_state, power_state = STATES[server["status"]]
    view = {
        "id": server["id"], "name": server["name"], "status": server["status"], "tenant_id": server["project_id"],
        "user_id": server["user_id"], "metadata": server["metadata"], "hostId": "4f2c3b1a" * 7, "image": image,
        "flavor": flavor_ref, "created": server["created"], "updated": server["updated"],
        "addresses": addresses(cloud, server), "accessIPv4": "", "accessIPv6": "",
        "links": links(request, "servers", server["id"]), "OS-DCF:diskConfig": "AUTO", "progress": 0,
        "OS-EXT-AZ:availability_zone": "nova", "config_drive": "", "key_name": server["key_name"],
        "OS-SRV-USG:launched_at": None if server["status"] == "ERROR" else server["created"].replace("Z", ".000000"),
        "OS-SRV-USG:terminated_at": None, "OS-EXT-STS:task_state": server.get("task_state"),
        "OS-EXT-STS:vm_state": vm_state, "OS-EXT-STS:power_state": power_state,
        "os-extended-volumes:volumes_attached": [{"id": v["id"], "delete_on_termination": False}
                                                 for v in server["volumes"]],
        "security_groups": [{"name": "default"}] if server["ports"] else [],
        "description": None, "locked": False, "tags": [], "trusted_image_certificates": None,
        "host_status": "UP", "server_groups": [], "locked_reason": None,
    }
    if request["token"].is_admin:
        view.update({"OS-EXT-SRV-ATTR:host": "compute-0", "OS-EXT-SRV-ATTR:hypervisor_hostname": "compute-0.lab",
                     "OS-EXT-SRV-ATTR:instance_name": f"instance-{server['id'][:8]}",
                     "OS-EXT-SRV-ATTR:root_device_name": "/dev/vda"})
    if "fault" in server:
        view["fault"] = server["fault"]
    return view


def visible_servers(request: web.Request) -> list:
    cloud: Cloud = request.app["cloud"]
    token = request["token"]
    all_tenants = request.query.get("all_tenants", "").lower() in ("1", "true", "")
    if "all_tenants" in request.query and all_tenants:
        if not token.is_admin:
            raise api.fault("nova", 403, "Policy doesn't allow os_compute_api:servers:index:get_all_tenants to be performed.")
        servers = list(cloud.servers.values())
        wanted_project = request.query.get("project_id") or request.query.get("tenant_id")
        if wanted_project:
            servers = [s for s in servers if s["project_id"] == wanted_project]
    else:
        servers = [s for s in cloud.servers.values() if s["project_id"] == token.project_id]
    servers = api.time_filtered(request, servers, "updated", {"changes-since": "gte", "changes-before": "lte"})
    return api.filtered(request, servers, ("name", "status"), regex=("name",))


@routes.get(PREFIX + "/servers")
async def list_servers(request):
    servers = [{"id": s["id"], "name": s["name"], "links": links(request, "servers", s["id"])}
               for s in visible_servers(request)]
    return reply(request, api.page(request, servers, "servers", request.path))


@routes.get(PREFIX + "/servers/detail")
async def list_servers_detail(request):
    version = MICROVERSION.of(request)
    servers = [server_view(request, s, version) for s in visible_servers(request)]
    return reply(request, api.page(request, servers, "servers", request.path))


@routes.get(PREFIX + "/servers/{server_id}")
async def get_server(request):
    return reply(request, {"server": server_view(request, find_server(request), MICROVERSION.of(request))})


@routes.get(PREFIX + "/servers/{server_id}/metadata")
async def get_metadata(request):
    return reply(request, {"metadata": find_server(request)["metadata"]})


@routes.get(PREFIX + "/servers/{server_id}/metadata/{key}")
async def get_metadata_item(request):
    metadata = find_server(request)["metadata"]
    if request.match_info["key"] not in metadata:
        raise api.fault("nova", 404, "Metadata item was not found")
    return reply(request, {"meta": {request.match_info["key"]: metadata[request.match_info["key"]]}})


@routes.post(PREFIX + "/servers/{server_id}/metadata")
@routes.put(PREFIX + "/servers/{server_id}/metadata")
async def set_metadata(request):
    server = find_server(request)
    new = (await api.body(request)).get("metadata")
    if not isinstance(new, dict):
        raise api.fault("nova", 400, "Invalid input for field/attribute metadata.")
    server["metadata"] = {**server["metadata"], **new} if request.method == "POST" else dict(new)
    server["updated"] = api.now()
    return reply(request, {"metadata": server["metadata"]})


@routes.get(PREFIX + "/servers/{server_id}/os-interface")
async def list_interfaces(request):
    server = find_server(request)
    return reply(request, {"interfaceAttachments": [interface_view(request, p) for p in server["ports"]]})


@routes.get(PREFIX + "/servers/{server_id}/os-interface/{port_id}")
async def get_interface(request):
    server = find_server(request)
    if request.match_info["port_id"] not in server["ports"]:
        raise api.fault("nova", 404, "Network interface could not be found.")
    return reply(request, {"interfaceAttachment": interface_view(request, request.match_info["port_id"])})


def interface_view(request: web.Request, port_id: str) -> dict:
    port = request.app["cloud"].ports[port_id]
    return {"port_state": "ACTIVE", "fixed_ips": port["fixed_ips"], "port_id": port["id"],
            "net_id": port["network_id"], "mac_addr": port["mac_address"], "tag": None}


@routes.get(PREFIX + "/servers/{server_id}/os-volume_attachments")
async def list_volume_attachments(request):
    server = find_server(request)
    return reply(request, {"volumeAttachments": [attachment_view(server, v) for v in server["volumes"]]})


@routes.get(PREFIX + "/servers/{server_id}/os-volume_attachments/{volume_id}")
async def get_volume_attachment(request):
    server = find_server(request)
    found = [v for v in server["volumes"] if v["id"] == request.match_info["volume_id"]]
    if not found:
        raise api.fault("nova", 404, f"Instance {server['id']} is not attached to volume {request.match_info['volume_id']}.")
    return reply(request, {"volumeAttachment": attachment_view(server, found[0])})


def attachment_view(server: dict, attached: dict) -> dict:
    return {"id": attached["id"], "volumeId": attached["id"], "serverId": server["id"], "device": attached["device"],
            "tag": None, "delete_on_termination": False}


@routes.get(PREFIX + "/flavors")
async def list_flavors(request):
    flavors = [{"id": f["id"], "name": f["name"], "links": links(request, "flavors", f["id"])}
               for f in request.app["cloud"].flavors.values()]
    return reply(request, api.page(request, flavors, "flavors", request.path))


@routes.get(PREFIX + "/flavors/detail")
async def list_flavors_detail(request):
    version = MICROVERSION.of(request)
    flavors = [flavor_view(request, f, version) for f in request.app["cloud"].flavors.values()]
    return reply(request, api.page(request, flavors, "flavors", request.path))


def find_flavor(request: web.Request) -> dict:
    flavor = request.app["cloud"].flavors.get(request.match_info["flavor_id"])
    if flavor is None:
        raise not_found("Flavor", request.match_info["flavor_id"])
    return flavor


@routes.get(PREFIX + "/flavors/{flavor_id}")
async def get_flavor(request):
    return reply(request, {"flavor": flavor_view(request, find_flavor(request), MICROVERSION.of(request))})


@routes.get(PREFIX + "/flavors/{flavor_id}/os-extra_specs")
async def get_extra_specs(request):
    return reply(request, {"extra_specs": find_flavor(request)["extra_specs"]})


@routes.get(PREFIX + "/os-availability-zone")
async def list_zones(request):
    return reply(request, {"availabilityZoneInfo": [{"zoneName": "nova", "zoneState": {"available": True},
                                                     "hosts": None}]})

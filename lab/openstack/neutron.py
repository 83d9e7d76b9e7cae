"""Neutron v2.0 (read-only): networks, subnets, ports, floating IPs, routers, security groups.

Any query parameter naming a top-level field filters the list (repeat it for "any of"), as
Neutron does. Admins see every project's resources; others their own plus shared networks.
"""

from __future__ import annotations

from aiohttp import web

from lab.openstack import api
from lab.openstack.cloud import Cloud
from lab.openstack.world import CREATED

routes = web.RouteTableDef()
PREFIX = "/network/v2.0"
NOT_FILTERS = {"limit", "marker", "fields", "sort_key", "sort_dir", "page_reverse"}
EXTENSIONS = ["external-net", "router", "security-group", "port-security", "binding", "floatingip-pools",
              "standard-attr-description", "standard-attr-timestamp", "standard-attr-tag", "pagination", "sorting"]


def common(item: dict) -> dict:
    return {"project_id": item["project_id"], "tenant_id": item["project_id"], "description": "", "tags": [],
            "created_at": CREATED, "updated_at": CREATED, "revision_number": 1}


def network_view(cloud: Cloud, net: dict) -> dict:
    return {"id": net["id"], "name": net["name"], "status": "ACTIVE", "subnets": net["subnets"], "admin_state_up": True,
            "shared": net["shared"], "router:external": net["external"], "mtu": 1500 if net["external"] else 1450,
            "provider:network_type": "flat" if net["external"] else "vxlan", "availability_zones": ["nova"],
            "port_security_enabled": True, "qos_policy_id": None, "is_default": net["external"], **common(net)}


def subnet_view(cloud: Cloud, sub: dict) -> dict:
    prefix = sub["cidr"].rsplit(".", 1)[0]
    return {"id": sub["id"], "name": sub["name"], "network_id": sub["network_id"], "cidr": sub["cidr"], "ip_version": 4,
            "gateway_ip": sub["gateway_ip"], "enable_dhcp": True, "dns_nameservers": [], "host_routes": [],
            "allocation_pools": [{"start": f"{prefix}.2", "end": f"{prefix}.254"}], "ipv6_address_mode": None,
            "ipv6_ra_mode": None, "subnetpool_id": None, "service_types": [], "segment_id": None, **common(sub)}


def port_view(cloud: Cloud, port: dict) -> dict:
    return {"id": port["id"], "name": port["name"], "network_id": port["network_id"], "mac_address": port["mac_address"],
            "fixed_ips": port["fixed_ips"], "device_id": port["device_id"], "device_owner": port["device_owner"],
            "status": "ACTIVE", "admin_state_up": True, "security_groups": port["security_groups"],
            "binding:vnic_type": port.get("vnic_type", "normal"), "binding:vif_type": "ovs", "binding:host_id": "compute-0",
            "port_security_enabled": True, "allowed_address_pairs": [], "extra_dhcp_opts": [], "dns_name": "",
            **common(port)}


def floatingip_view(cloud: Cloud, fip: dict) -> dict:
    port = cloud.ports.get(fip["port_id"] or "")
    details = None
    if port:
        details = {"name": port["name"], "network_id": port["network_id"], "mac_address": port["mac_address"],
                   "admin_state_up": True, "status": "ACTIVE", "device_id": port["device_id"],
                   "device_owner": port["device_owner"]}
    return {"id": fip["id"], "floating_ip_address": fip["floating_ip_address"],
            "floating_network_id": fip["floating_network_id"], "port_id": fip["port_id"],
            "fixed_ip_address": fip["fixed_ip_address"], "router_id": fip["router_id"], "status": "ACTIVE",
            "port_details": details, "dns_domain": "", "dns_name": "", "qos_policy_id": None, "port_forwardings": [],
            **common(fip)}


def router_view(cloud: Cloud, router: dict) -> dict:
    external = cloud.networks[router["external_network_id"]]
    return {"id": router["id"], "name": router["name"], "status": "ACTIVE", "admin_state_up": True, "routes": [],
            "external_gateway_info": {"network_id": external["id"], "enable_snat": True, "external_fixed_ips": [
                {"subnet_id": external["subnets"][0], "ip_address": router["external_ip"]}]},
            "availability_zones": ["nova"], "distributed": False, "ha": False, **common(router)}


def security_group_view(cloud: Cloud, group: dict) -> dict:
    rules = [{"id": f"{group['id'][:-4]}{n:04d}", "direction": direction, "ethertype": "IPv4", "protocol": None,
              "port_range_min": None, "port_range_max": None, "remote_ip_prefix": None,
              "remote_group_id": group["id"] if direction == "ingress" else None, "security_group_id": group["id"],
              **common(group)} for n, direction in enumerate(("ingress", "egress"))]
    return {**common(group), "id": group["id"], "name": group["name"], "description": "Default security group",
            "security_group_rules": rules, "stateful": True}


COLLECTIONS = {  # URL name -> (Cloud attribute, body key for one, view)
    "networks": ("networks", "network", network_view),
    "subnets": ("subnets", "subnet", subnet_view),
    "ports": ("ports", "port", port_view),
    "floatingips": ("floatingips", "floatingip", floatingip_view),
    "routers": ("routers", "router", router_view),
    "security-groups": ("security_groups", "security_group", security_group_view),
}


def visible(request: web.Request, name: str) -> list:
    cloud: Cloud = request.app["cloud"]
    attribute, _, view = COLLECTIONS[name]
    token = request["token"]
    items = [view(cloud, i) for i in getattr(cloud, attribute).values()]
    return [i for i in items if token.is_admin or i["project_id"] == token.project_id or i.get("shared")]


def apply_filters(request: web.Request, items: list) -> list:
    def text(value) -> str:
        return str(value).lower() if isinstance(value, bool) else str(value)

    for key in set(request.query) - NOT_FILTERS:
        wanted = request.query.getall(key)
        items = [i for i in items if key in i and text(i[key]) in wanted]
    fields = request.query.getall("fields", [])
    if fields:
        items = [{k: v for k, v in i.items() if k in fields} for i in items]
    return items


def make_handlers(name: str):
    async def list_items(request):
        result = api.page(request, apply_filters(request, visible(request, name)), name.replace("-", "_"), request.path)
        return api.reply(result)

    async def get_item(request):
        ident = request.match_info["id"]
        found = [i for i in visible(request, name) if i["id"] == ident]
        if not found:
            kind = COLLECTIONS[name][1].replace("_", " ").title().replace(" ", "")
            raise api.fault("neutron", 404, f"{kind} {ident} could not be found.")
        return api.reply({COLLECTIONS[name][1]: found[0]})

    return list_items, get_item


for _name in COLLECTIONS:
    _list, _get = make_handlers(_name)
    routes.get(f"{PREFIX}/{_name}")(_list)
    routes.get(f"{PREFIX}/{_name}/{{id}}")(_get)


@routes.get("/network")
@routes.get("/network/")
async def versions(request):
    href = f"{api.base_url(request)}{PREFIX}/"
    return api.reply({"versions": [{"id": "v2.0", "status": "CURRENT", "links": [{"rel": "self", "href": href}]}]})


@routes.get(PREFIX)
@routes.get(PREFIX + "/")
async def resources(request):
    base = f"{api.base_url(request)}{PREFIX}"
    return api.reply({"resources": [{"name": COLLECTIONS[n][1], "collection": n,
                                     "links": [{"rel": "self", "href": f"{base}/{n}"}]} for n in COLLECTIONS]})


@routes.get(PREFIX + "/extensions")
async def extensions(request):
    return api.reply({"extensions": [{"alias": a, "name": a, "description": "", "links": [], "updated": CREATED}
                                     for a in EXTENSIONS]})

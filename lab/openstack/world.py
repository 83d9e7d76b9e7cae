"""The simulated cloud's starting inventory, built fresh by `up()` and saved as world.json.

IDs are derived from names (uuid5), so they stay the same from one `lab up` to the next;
secrets and the pre-issued token are new each time.
"""

from __future__ import annotations

import datetime
import hashlib
import secrets
import uuid
from pathlib import Path

from lab.openstack import disks

REGION = "regionOne"
DOMAIN = {"id": "default", "name": "Default", "description": "The default domain", "enabled": True}
CREATED = "2024-05-02T09:30:00Z"
NAMESPACE = uuid.UUID("6f1f3a52-4d0e-4c4e-9a57-0b1d4c1d7e11")

FLAVORS = [  # name, vcpus, ram MiB, disk GiB, extra specs
    ("m1.tiny", 1, 512, 1, {}),
    ("m1.small", 1, 2048, 20, {"hw:cpu_policy": "shared"}),
    ("m1.medium", 2, 4096, 40, {"hw:cpu_policy": "shared", "hw_rng:allowed": "True"}),
    ("m1.tuned", 4, 8192, 40, {"hw:cpu_policy": "shared", "quota:cpu_shares": "2048", "hw:numa_nodes": "2",
                               "pci_passthrough:alias": "t4-gpu:1", "hw:watchdog_action": "reset"}),
]
VOLUME_TYPES = [  # name, description, extra specs
    ("__DEFAULT__", "Default Volume Type", {}),
    ("fast-ssd", "SSD-backed LVM", {"volume_backend_name": "lvm-ssd"}),
    ("multiattach", "Volumes attachable to several servers", {"multiattach": "<is> True"}),
]
NETWORKS = [  # name, project ("main"/"other"), cidr, external
    ("public", "main", "172.24.4.0/24", True),
    ("private", "main", "10.0.0.0/24", False),
    ("storage-net", "main", "192.168.20.0/24", False),
    ("other-net", "other", "10.10.0.0/24", False),
    ("validation-net", "validation", "10.20.0.0/24", False),
]
IMAGES = [("cirros-lab", 64 * disks.MIB)]  # pre-existing Glance images: name, size

# What each test VM is for. A volume is (name suffix, GiB, volume type, extra fields); a NIC is a network name or
# (network name, binding:vnic_type). `image_properties` are set on the boot volume's image metadata, as
# `openstack volume set --image-property` does (Nova reads them from there for a volume-booted server).
BOOT = ("boot", 1, "fast-ssd", {})
TEST_VMS = [
    dict(key="good", name="vm-good", flavor="m1.small", volumes=[BOOT], nics=["private"], floating_ip=True,
         purpose="migratable: ACTIVE, one bootable Cinder volume, one NIC with a floating IP"),
    dict(key="image_booted", name="vm-image-booted", flavor="m1.tiny", image="cirros-lab", volumes=[], nics=["private"],
         purpose="booted from a Glance image, no Cinder volume (only Cinder-volume VMs are supported)"),
    dict(key="shutoff", name="vm-shutoff", status="SHUTOFF", flavor="m1.small", volumes=[BOOT], nics=["private"],
         purpose="powered off (SHUTOFF)"),
    dict(key="error", name="vm-error", status="ERROR", flavor="m1.small", volumes=[BOOT], nics=["private"],
         purpose="server in ERROR state with a fault"),
    dict(key="volume_error", name="vm-volume-error", flavor="m1.small", nics=["private"],
         volumes=[BOOT, ("data", 1, "__DEFAULT__", {"status": "error"})], purpose="a data volume in `error` status"),
    dict(key="multiattach", name="vm-multiattach", flavor="m1.small", nics=["private"],
         volumes=[BOOT, ("shared", 1, "multiattach", {"multiattach": True})], purpose="a multi-attach volume"),
    dict(key="two_disks_two_nics", name="vm-two-disks-two-nics", flavor="m1.medium", nics=["private", "storage-net"],
         volumes=[BOOT, ("data", 2, "__DEFAULT__", {})], purpose="two volumes and two NICs on different networks"),
    dict(key="invalid_name", name="VM_Invalid.Name", flavor="m1.small", volumes=[BOOT], nics=["private"],
         purpose="name that is not a valid Kubernetes name"),
    dict(key="other_project", name="vm-other-project", project="other", flavor="m1.small", volumes=[BOOT],
         nics=["other-net"], purpose="lives in the second project; not visible from the first"),
    # The third project holds servers made to trip validation rules, so that the first project stays as the
    # provider tests know it (for instance, all BIOS).
    dict(key="clean", name="vm-clean", project="validation", flavor="m1.small", volumes=[BOOT],
         nics=["validation-net"], image_properties={"os_type": "linux", "os_distro": "fedora", "os_version": "40"},
         purpose="trips no validation rule: Cinder-only, ACTIVE, virtio, known guest OS, no floating IP"),
    dict(key="tuned", name="vm-tuned", project="validation", flavor="m1.tuned", volumes=[BOOT],
         nics=["validation-net", ("validation-net", "direct")],
         image_properties={"os_type": "linux", "os_distro": "rhel", "os_version": "9.4", "hw_boot_menu": "true",
                           "hw_disk_bus": "ide", "hw_vif_model": "vmxnet3"},
         purpose="flavor with CPU shares, NUMA, PCI alias and watchdog; image metadata with boot menu, IDE disk "
                 "bus and vmxnet3 VIFs; an SR-IOV (direct) port"),
    dict(key="secure_boot", name="vm-secure-boot", project="validation", flavor="m1.small", volumes=[BOOT],
         nics=["validation-net"],
         image_properties={"os_type": "windows", "os_distro": "windows", "os_version": "2019",
                           "hw_firmware_type": "uefi", "hw_machine_type": "q35", "os_secure_boot": "required"},
         purpose="UEFI with secure boot required"),
]
SPARE_VOLUMES = [("spare-volume", 1)]  # detached, `available`


def uid(kind: str, name: str) -> str:
    return str(uuid.uuid5(NAMESPACE, f"{kind}:{name}"))


def mac_for(name: str) -> str:
    digest = hashlib.sha256(name.encode()).digest()
    return "fa:16:3e:" + ":".join(f"{b:02x}" for b in digest[:3])


def build(directory: Path, cache: disks.DigestCache) -> dict:
    """Create disk files under directory and return the world (see module docstring)."""
    disk_dir = directory / "disks"
    disk_dir.mkdir(parents=True, exist_ok=True)
    for old in disk_dir.iterdir():
        old.unlink()

    def disk(label: str, size: int) -> dict:
        path = disk_dir / f"{label}.raw"
        key = disks.generate(path, label, size)
        return {"file": str(path), "content_key": key, "blake3": cache.blake3(key, path)}

    projects = {
        "main": {"id": uid("project", "mtv-project"), "name": "mtv-project", "description": "Workloads to migrate"},
        "other": {"id": uid("project", "other-project"), "name": "other-project", "description": "Another tenant"},
        "validation": {"id": uid("project", "validation-project"), "name": "validation-project",
                       "description": "Servers that trip validation rules"},
    }
    for p in projects.values():
        p.update(domain_id="default", parent_id="default", enabled=True, is_domain=False, tags=[])
    user = {"id": uid("user", "mtv-user"), "name": "mtv-user", "domain_id": "default", "enabled": True,
            "password": "lab-" + secrets.token_urlsafe(12), "default_project_id": projects["main"]["id"]}
    roles = [{"id": uid("role", n), "name": n} for n in ("admin", "member", "reader")]
    app_cred = {"id": uuid.uuid4().hex, "name": "forklift", "secret": secrets.token_urlsafe(24),
                "user_id": user["id"], "project_id": projects["main"]["id"], "roles": ["member", "reader"],
                "unrestricted": False, "description": "mtvweb lab", "expires_at": None}
    now = datetime.datetime.now(datetime.UTC)
    token = {"id": "gAAAAAB" + secrets.token_urlsafe(48), "user_id": user["id"], "project_id": projects["main"]["id"],
             "methods": ["password"], "issued_at": now.isoformat(), "expires_at": (now + datetime.timedelta(days=365)).isoformat()}

    flavors = [{"id": uid("flavor", n), "name": n, "vcpus": c, "ram": r, "disk": d, "extra_specs": e}
               for n, c, r, d, e in FLAVORS]
    volume_types = [{"id": uid("volume_type", n), "name": n, "description": desc, "extra_specs": e}
                    for n, desc, e in VOLUME_TYPES]
    images = []
    for name, size in IMAGES:
        images.append({"id": uid("image", name), "name": name, "owner": projects["main"]["id"], "visibility": "public",
                       "disk_format": "raw", "container_format": "bare", "size": size, **disk(f"image-{name}", size)})
    image_ids = {i["name"]: i["id"] for i in images}

    networks, subnets, ports, floatingips, routers, security_groups = [], [], [], [], [], []
    for name, project, cidr, external in NETWORKS:
        net_id, sub_id = uid("network", name), uid("subnet", name)
        networks.append({"id": net_id, "name": name, "project_id": projects[project]["id"], "external": external,
                         "shared": external, "subnets": [sub_id]})
        subnets.append({"id": sub_id, "name": f"{name}-subnet", "network_id": net_id, "cidr": cidr,
                        "project_id": projects[project]["id"], "gateway_ip": cidr.rsplit(".", 1)[0] + ".1"})
    net_by_name = {n["name"]: n for n in networks}
    sub_by_net = {s["network_id"]: s for s in subnets}
    for p in projects.values():
        security_groups.append({"id": uid("security_group", p["name"]), "name": "default", "project_id": p["id"]})
    routers.append({"id": uid("router", "router1"), "name": "router1", "project_id": projects["main"]["id"],
                    "external_network_id": net_by_name["public"]["id"], "external_ip": "172.24.4.2"})
    next_host = {n["id"]: 10 for n in networks}

    def add_port(server: dict, net_name: str, vnic_type: str = "normal") -> dict:
        net = net_by_name[net_name]
        subnet = sub_by_net[net["id"]]
        ip = subnet["cidr"].rsplit(".", 1)[0] + f".{next_host[net['id']]}"
        next_host[net["id"]] += 1
        port_name = f"{server['name']}-{net_name}" + ("" if vnic_type == "normal" else f"-{vnic_type}")
        port = {"id": uid("port", port_name), "name": "", "network_id": net["id"], "mac_address": mac_for(port_name),
                "fixed_ips": [{"subnet_id": subnet["id"], "ip_address": ip}], "device_id": server["id"],
                "device_owner": "compute:nova", "project_id": server["project_id"], "vnic_type": vnic_type,
                "security_groups": [uid("security_group", _project_name(projects, server["project_id"]))]}
        ports.append(port)
        return port

    volumes, servers, test_vms = [], [], {}
    for spec in TEST_VMS:
        project = projects[spec.get("project", "main")]
        server = {"id": uid("server", spec["name"]), "name": spec["name"], "project_id": project["id"],
                  "user_id": user["id"], "status": spec.get("status", "ACTIVE"),
                  "flavor_id": uid("flavor", spec["flavor"]), "image_id": image_ids.get(spec.get("image")),
                  "metadata": {"purpose": spec["key"]}, "created": CREATED, "key_name": None,
                  "volumes": [], "ports": [], "root_disk": None}
        if server["status"] == "ERROR":
            server["fault"] = {"code": 500, "created": CREATED, "message": "No valid host was found. There are not enough hosts available."}
        if server["image_id"]:
            flavor_disk = next(f["disk"] for f in flavors if f["id"] == server["flavor_id"])
            server["root_disk"] = {"size": flavor_disk * disks.GIB, **disk(f"{spec['name']}-root", flavor_disk * disks.GIB)}
        for index, (suffix, gib, vtype, extra) in enumerate(spec["volumes"]):
            name = f"{spec['name']}-{suffix}"
            device = f"/dev/vd{chr(ord('a') + index)}"
            volume = {"id": uid("volume", name), "name": name, "project_id": project["id"], "user_id": user["id"],
                      "size": gib, "volume_type": vtype, "bootable": index == 0, "multiattach": False,
                      "status": "in-use", "description": f"{suffix} disk of {spec['name']}", "metadata": {},
                      "attachments": [{"server_id": server["id"], "device": device,
                                       "attachment_id": uid("attachment", name)}],
                      **disk(f"volume-{name}", gib * disks.GIB), **extra}
            if index == 0:
                volume["volume_image_metadata"] = {"image_id": image_ids["cirros-lab"], "image_name": "cirros-lab",
                                                   **spec.get("image_properties", {})}
            volumes.append(volume)
            server["volumes"].append({"id": volume["id"], "device": device})
        for nic in spec["nics"]:
            net_name, vnic_type = (nic, "normal") if isinstance(nic, str) else nic
            server["ports"].append(add_port(server, net_name, vnic_type)["id"])
        if spec.get("floating_ip"):
            port = next(p for p in ports if p["id"] == server["ports"][0])
            floatingips.append({"id": uid("floatingip", spec["name"]), "floating_ip_address": "172.24.4.50",
                                "floating_network_id": net_by_name["public"]["id"], "port_id": port["id"],
                                "fixed_ip_address": port["fixed_ips"][0]["ip_address"], "router_id": routers[0]["id"],
                                "project_id": project["id"]})
        servers.append(server)
        test_vms[spec["key"]] = {"id": server["id"], "name": server["name"], "project_id": project["id"],
                                 "status": server["status"], "purpose": spec["purpose"],
                                 "volumes": [v["id"] for v in server["volumes"]],
                                 "macs": [p["mac_address"] for p in ports if p["device_id"] == server["id"]]}
    for name, gib in SPARE_VOLUMES:
        volumes.append({"id": uid("volume", name), "name": name, "project_id": projects["main"]["id"],
                        "user_id": user["id"], "size": gib, "volume_type": "__DEFAULT__", "bootable": False,
                        "multiattach": False, "status": "available", "description": "not attached", "metadata": {},
                        "attachments": [], **disk(f"volume-{name}", gib * disks.GIB)})

    return {
        "region": REGION, "domains": [DOMAIN], "projects": list(projects.values()), "users": [user], "roles": roles,
        "assignments": {user["id"]: {projects["main"]["id"]: ["admin", "member", "reader"],
                                     projects["other"]["id"]: ["member", "reader"],
                                     projects["validation"]["id"]: ["member", "reader"]}},
        "application_credentials": [app_cred], "tokens": [token], "flavors": flavors, "images": images,
        "volume_types": volume_types, "volumes": volumes, "snapshots": [], "servers": servers,
        "networks": networks, "subnets": subnets, "ports": ports, "floatingips": floatingips, "routers": routers,
        "security_groups": security_groups, "test_vms": test_vms,
    }


def _project_name(projects: dict, project_id: str) -> str:
    return next(p["name"] for p in projects.values() if p["id"] == project_id)

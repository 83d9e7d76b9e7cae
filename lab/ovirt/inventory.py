"""The simulated engine's infrastructure: data center, clusters, hosts, storage, networks.

Ids are stable (uuid5 of kind and name), so a lab brought up again has the same ids.
`build()` returns {"collections": {path: [entity...]}, "images": [disk specs], "record": {...}};
the VMs and their disks come from lab.ovirt.vms.
"""

from __future__ import annotations

import uuid

from lab.ovirt import vms
from lab.ovirt.schema import BLANK_TEMPLATE_ID
from lab.ovirt.store import ADMIN_USER_ID, ref

GiB = 1 << 30
_NAMESPACE = uuid.UUID("6f9d0c4e-7a51-4c1e-9a3e-2b8f1f6d4a10")


def stable_id(kind: str, name: str) -> str:
    return str(uuid.uuid5(_NAMESPACE, f"{kind}:{name}"))


VERSION = {"major": 4, "minor": 7}


def _data_center(name: str) -> dict:
    return {
        "id": stable_id("dc", name), "name": name, "description": "The default Data Center", "comment": "",
        "local": False, "status": "up", "storage_format": "v5", "quota_mode": "disabled",
        "version": VERSION, "supported_versions": [VERSION],
    }


def _cluster(name: str, dc: dict, ha_reservation: bool, ksm: bool) -> dict:
    return {
        "id": stable_id("cluster", name), "name": name, "description": f"{name} cluster", "comment": "",
        "data_center": ref("datacenters", dc["id"]),
        "cpu": {"architecture": "x86_64", "type": "Intel Nehalem Family"},
        "version": VERSION, "ha_reservation": ha_reservation,
        "ksm": {"enabled": ksm, "merge_across_nodes": True},
        "memory_policy": {"over_commit": {"percent": 100}, "transparent_hugepages": {"enabled": True}},
        "ballooning_enabled": True, "bios_type": "q35_ovmf", "firewall_type": "firewalld", "switch_type": "legacy",
        "threads_as_cores": False, "virt_service": True, "gluster_service": False, "fips_mode": "disabled",
    }


def _host(name: str, cluster: dict, spm: bool) -> dict:
    host_id = stable_id("host", name)
    return {
        "id": host_id, "name": name, "description": "", "comment": "", "address": "127.0.0.1",
        "status": "up", "type": "rhel", "port": 54321, "protocol": "stomp",
        "cluster": ref("clusters", cluster["id"]),
        "os": {"type": "RHEL", "version": {"full_version": "8.7 - 1.el8", "major": 8, "minor": 7}},
        "cpu": {"name": "Intel Xeon Processor (Cascadelake)", "speed": 2400,
                "topology": {"sockets": 2, "cores": 8, "threads": 2}, "type": "Intel Nehalem Family"},
        "memory": 64 * GiB, "max_scheduling_memory": 60 * GiB,
        "summary": {"active": 0, "migrating": 0, "total": 0},
        "ssh": {"port": 22, "fingerprint": f"SHA256:{uuid.uuid5(_NAMESPACE, 'ssh:' + name).hex}"},
        "certificate": {"organization": "lab.local", "subject": f"O=lab.local,CN={name}.lab.local"},
        "libvirt_version": {"full_version": "libvirt-8.0.0-10.module+el8", "major": 8, "minor": 0},
        "version": {"full_version": "vdsm-4.50.3.4-1.el8", "major": 4, "minor": 50},
        "hardware_information": {"manufacturer": "mtvweb lab", "product_name": "Simulated host",
                                 "uuid": stable_id("hw", name), "serial_number": name.upper()},
        "kdump_status": "disabled", "external_status": "ok", "update_available": False,
        "spm": {"priority": 5, "status": "spm" if spm else "none"},
        "iscsi": {"initiator": f"iqn.1994-05.com.redhat:{name}"},
        "transparent_hugepages": {"enabled": True}, "reinstallation_required": False,
    }


def _host_children(host: dict, host_index: int, networks: dict) -> dict:
    path = f"hosts/{host['id']}"
    nics, attachments = [], []
    for index, (network_name, address) in enumerate([("ovirtmgmt", "127.0.0.1"), ("vm-data", None)]):
        nic = {
            "id": stable_id("hostnic", f"{host['name']}:eth{index}"), "name": f"eth{index}",
            "mac": {"address": f"52:54:00:{host_index:02x}:{index:02x}:01"},
            "ip": {"address": address, "netmask": "255.0.0.0", "version": "v4"} if address else None,
            "boot_protocol": "static" if address else "none", "mtu": 1500, "speed": 10_000_000_000,
            "status": "up", "host": ref("hosts", host["id"]), "network": ref("networks", networks[network_name]["id"]),
        }
        nics.append(nic)
        attachments.append({
            "id": stable_id("netattach", f"{host['name']}:{network_name}"), "in_sync": True,
            "network": ref("networks", networks[network_name]["id"]),
            "host_nic": ref(f"{path}/nics", nic["id"]), "host": ref("hosts", host["id"]),
        })
    return {f"{path}/nics": nics, f"{path}/networkattachments": attachments}


def _storage_domain(name: str, dc: dict, domain_type: str, storage: dict, size_gib: int, master=False) -> dict:
    return {
        "id": stable_id("sd", name), "name": name, "description": "", "comment": "",
        "type": domain_type, "storage": storage, "master": master, "storage_format": "v5",
        "available": size_gib * GiB * 3 // 4, "used": size_gib * GiB // 4, "committed": size_gib * GiB // 8,
        "block_size": 512, "external_status": "ok", "backup": False, "wipe_after_delete": False,
        "discard_after_delete": False, "supports_discard": storage["type"] == "iscsi",
        "supports_discard_zeroes_data": False, "warning_low_space_indicator": 10,
        "critical_space_action_blocker": 5, "data_centers": [ref("datacenters", dc["id"])],
    }


def _network(name: str, dc: dict, usages: list, vlan: int | None, description: str) -> dict:
    return {
        "id": stable_id("network", name), "name": name, "description": description, "comment": "",
        "data_center": ref("datacenters", dc["id"]), "usages": usages, "mtu": 0, "stp": False,
        "required": name == "ovirtmgmt", "vlan": {"id": vlan} if vlan is not None else None,
        "port_isolation": False,
    }


def _profile(name: str, network: dict, port_mirroring=False, pass_through=False, network_filter=True,
             qos: str | None = None, custom_properties=()) -> dict:
    """A vNIC profile; like the engine's, it has the vdsm-no-mac-spoofing filter unless made with "No Network
    Filter", and a network QoS is a reference to a QoS entry of the data center."""
    profile = {
        "id": stable_id("vnicprofile", name), "name": name, "description": "", "comment": "",
        "network": ref("networks", network["id"]), "port_mirroring": port_mirroring,
        "pass_through": {"mode": "enabled" if pass_through else "disabled"}, "migratable": not pass_through,
        "custom_properties": [{"name": k, "value": v} for k, v in custom_properties],
    }
    if network_filter:
        profile["network_filter"] = ref("networkfilters", stable_id("networkfilter", "vdsm-no-mac-spoofing"))
    if qos:
        dc_id = network["data_center"]["id"]
        profile["qos"] = ref(f"datacenters/{dc_id}/qoss", stable_id("qos", qos))
    return profile


def build(root, vm_count: int, guest_image: str | None = None) -> dict:
    dc = _data_center("Default")
    clusters = {
        "Default": _cluster("Default", dc, ha_reservation=False, ksm=False),
        "Cluster2": _cluster("Cluster2", dc, ha_reservation=True, ksm=True),
    }
    hosts = {"host1": _host("host1", clusters["Default"], True), "host2": _host("host2", clusters["Cluster2"], False)}
    networks = {
        "ovirtmgmt": _network("ovirtmgmt", dc, ["vm", "management", "display", "migration", "default_route"], None,
                              "Management Network"),
        "vm-data": _network("vm-data", dc, ["vm"], 100, "VM data network"),
        "storage-net": _network("storage-net", dc, [], 200, "Storage network (not for VMs)"),
    }
    profiles = {
        "ovirtmgmt": _profile("ovirtmgmt", networks["ovirtmgmt"]),
        "vm-data": _profile("vm-data", networks["vm-data"]),
        "vm-data-mirror": _profile("vm-data-mirror", networks["vm-data"], port_mirroring=True),
        "vm-data-passthrough": _profile("vm-data-passthrough", networks["vm-data"], pass_through=True),
        "vm-data-nofilter": _profile("vm-data-nofilter", networks["vm-data"], network_filter=False),
        "vm-data-limited": _profile("vm-data-limited", networks["vm-data"], qos="vm-data-10mbit",
                                    custom_properties=[("ifacemacspoof", "true")]),
    }
    domains = {
        "nfs-data": _storage_domain("nfs-data", dc, "data",
                                    {"type": "nfs", "address": "nfs.lab.local", "path": "/exports/data"}, 500, True),
        "iscsi-data": _storage_domain("iscsi-data", dc, "data",
                                      {"type": "iscsi", "volume_group": {"id": "lab-vg-1"}}, 1000),
        "mbs-data": _storage_domain("mbs-data", dc, "managed_block_storage",
                                    {"type": "managed_block_storage", "driver_name": "rbd"}, 200),
        "iso": _storage_domain("iso", dc, "iso", {"type": "nfs", "address": "nfs.lab.local", "path": "/exports/iso"},
                               50),
    }
    disk_profiles = [
        {"id": stable_id("diskprofile", name), "name": name, "description": "",
         "storage_domain": ref("storagedomains", sd["id"])}
        for name, sd in domains.items() if sd["type"] == "data"
    ]
    cpu_profiles = [
        {"id": stable_id("cpuprofile", name), "name": name, "description": "", "cluster": ref("clusters", c["id"])}
        for name, c in clusters.items()
    ]
    blank = {
        "id": BLANK_TEMPLATE_ID, "name": "Blank", "description": "Blank template", "comment": "", "status": "ok",
        "memory": GiB, "cpu": {"architecture": "x86_64", "topology": {"sockets": 1, "cores": 1, "threads": 1}},
        "os": {"type": "other", "boot": {"devices": ["hd"]}}, "bios": {"type": "cluster_default"},
        "type": "server", "stateless": False, "version": {"version_name": "base version", "version_number": 1},
    }
    admin = {"id": ADMIN_USER_ID, "name": "admin", "user_name": "admin@internal-authz", "principal": "admin",
             "namespace": "*", "domain_entry_id": "admin", "department": ""}
    collections = {
        "datacenters": [dc], "clusters": list(clusters.values()), "hosts": list(hosts.values()),
        "networks": list(networks.values()), "vnicprofiles": list(profiles.values()),
        "storagedomains": list(domains.values()), "diskprofiles": disk_profiles, "cpuprofiles": cpu_profiles,
        "templates": [blank], "users": [admin], "disks": [], "vms": [],
    }
    for host_index, host in enumerate(hosts.values()):
        collections.update(_host_children(host, host_index, networks))
    world = {"clusters": clusters, "hosts": hosts, "profiles": profiles, "domains": domains,
             "cpu_profiles": {p["name"]: p for p in cpu_profiles}}
    catalog = vms.Catalog(root, world, stable_id, guest_image)
    catalog.add_test_vms()
    catalog.add_bulk_vms(vm_count)
    for path, items in catalog.collections.items():
        collections.setdefault(path, []).extend(items)
    for host in hosts.values():
        running = [v for v in collections["vms"] if (v.get("host") or {}).get("id") == host["id"]]
        host["summary"] = {"active": len(running), "migrating": 0, "total": len(running)}
    return {
        "collections": collections,
        "images": catalog.images,
        "record": {
            "test_vms": catalog.test_vms,
            "other_disks": catalog.other_disks,
            "vm_count": len(collections["vms"]),
            "datacenter": {"id": dc["id"], "name": dc["name"]},
            "clusters": {name: c["id"] for name, c in clusters.items()},
            "hosts": {name: h["id"] for name, h in hosts.items()},
            "networks": {name: n["id"] for name, n in networks.items()},
            "vnic_profiles": {name: p["id"] for name, p in profiles.items()},
            "storage_domains": {
                name: {"id": sd["id"], "type": sd["type"], "storage_type": sd["storage"]["type"]}
                for name, sd in domains.items()
            },
            "unsupported_storage_domain": "mbs-data",
        },
    }

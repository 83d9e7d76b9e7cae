"""Names of the oVirt API model the simulated engine speaks (v4, as ovirtsdk4 reads it).

A *pattern* is a collection path with the ids left out: `vms`, `vms/nics`,
`hosts/nics`. Each pattern has an element tag, the sub-collections an entity links to
(`<link rel=...>`) and the actions it offers (`<actions>`).
"""

API_PREFIX = "/ovirt-engine/api"

# element tag of one entity of the collection
TAG = {
    "datacenters": "data_center",
    "datacenters/clusters": "cluster",
    "datacenters/networks": "network",
    "datacenters/storagedomains": "storage_domain",
    "clusters": "cluster",
    "clusters/networks": "network",
    "hosts": "host",
    "hosts/nics": "host_nic",
    "hosts/networkattachments": "network_attachment",
    "vms": "vm",
    "vms/diskattachments": "disk_attachment",
    "vms/nics": "nic",
    "vms/nics/reporteddevices": "reported_device",
    "vms/reporteddevices": "reported_device",
    "vms/snapshots": "snapshot",
    "vms/snapshots/disks": "disk",
    "vms/cdroms": "cdrom",
    "vms/watchdogs": "watchdog",
    "vms/hostdevices": "host_device",
    "vms/graphicsconsoles": "graphics_console",
    "vms/numanodes": "vm_numa_node",
    "vms/checkpoints": "checkpoint",
    "vms/backups": "backup",
    "disks": "disk",
    "disks/disksnapshots": "disk_snapshot",
    "storagedomains": "storage_domain",
    "storagedomains/disks": "disk",
    "storagedomains/vms": "vm",
    "storagedomains/disksnapshots": "disk_snapshot",
    "networks": "network",
    "networks/vnicprofiles": "vnic_profile",
    "vnicprofiles": "vnic_profile",
    "diskprofiles": "disk_profile",
    "cpuprofiles": "cpu_profile",
    "templates": "template",
    "events": "event",
    "imagetransfers": "image_transfer",
}

# plural wrapper of a list of tags, where it is not tag + "s"
PLURAL = {"katello_erratum": "katello_errata", "floppy": "floppies"}

LINKS = {
    "datacenters": ["clusters", "networks", "storagedomains", "permissions", "quotas", "qoss", "iscsibonds"],
    "clusters": ["networks", "affinitygroups", "cpuprofiles", "permissions", "enabledfeatures"],
    "hosts": ["nics", "networkattachments", "statistics", "permissions", "tags", "storage", "devices"],
    "hosts/nics": ["statistics", "networklabels"],
    "vms": [
        "diskattachments", "nics", "snapshots", "cdroms", "watchdogs", "hostdevices", "graphicsconsoles",
        "numanodes", "reporteddevices", "statistics", "permissions", "tags", "affinitylabels", "applications",
        "floppies", "katelloerrata", "mediateddevices", "sessions", "backups", "checkpoints",
    ],
    "vms/nics": ["reporteddevices", "statistics", "networkfilterparameters"],
    "vms/snapshots": ["disks", "nics", "cdroms"],
    "disks": ["disksnapshots", "permissions", "statistics"],
    "storagedomains": ["disks", "vms", "templates", "disksnapshots", "diskprofiles", "permissions", "storageconnections"],
    "networks": ["vnicprofiles", "permissions", "networklabels"],
    "vnicprofiles": ["permissions"],
    "templates": ["diskattachments", "nics", "cdroms", "watchdogs", "permissions", "tags", "graphicsconsoles"],
}

ACTIONS = {
    "vms": ["start", "stop", "shutdown", "reboot", "suspend"],
    "imagetransfers": ["finalize", "cancel", "extend", "pause", "resume"],
}

# singular element of a nested list, where it is not the key without its plural ending
SINGULAR = {"supported_versions": "version", "katello_errata": "katello_erratum", "floppies": "floppy"}

BLANK_TEMPLATE_ID = "00000000-0000-0000-0000-000000000000"


def pattern_of(path: str) -> str:
    """`vms/123/nics/456` -> `vms/nics` (collection names only)."""
    return "/".join(path.split("/")[0::2])


def plural(tag: str) -> str:
    return PLURAL.get(tag, tag + "s")


def singular(key: str) -> str:
    if key in SINGULAR:
        return SINGULAR[key]
    if key.endswith("ies"):
        return key[:-3] + "y"
    return key[:-1] if key.endswith("s") else key


# attribute name of a linked collection, where it is not the rel itself (`diskattachments`)
ATTRIBUTE = {
    "diskattachments": "disk_attachments", "hostdevices": "host_devices", "graphicsconsoles": "graphics_consoles",
    "numanodes": "numa_nodes", "reporteddevices": "reported_devices", "affinitylabels": "affinity_labels",
    "katelloerrata": "katello_errata", "mediateddevices": "mediated_devices",
    "networkattachments": "network_attachments", "storagedomains": "storage_domains",
    "vnicprofiles": "vnic_profiles", "disksnapshots": "disk_snapshots", "diskprofiles": "disk_profiles",
    "cpuprofiles": "cpu_profiles", "networkfilterparameters": "network_filter_parameters",
    "affinitygroups": "affinity_groups", "enabledfeatures": "enabled_features", "networklabels": "network_labels",
    "iscsibonds": "iscsi_bonds", "storageconnections": "storage_connections",
}


def attribute_for_rel(rel: str) -> str:
    """The attribute under which a linked collection is inlined by `follow` (`diskattachments` -> `disk_attachments`)."""
    return ATTRIBUTE.get(rel, rel)


def rel_for_attribute(attribute: str, pattern: str) -> str | None:
    """Which linked collection of an entity of pattern the follow name `attribute` means, if any."""
    for rel in LINKS.get(pattern, []):
        if attribute_for_rel(rel) == attribute:
            return rel
    return None

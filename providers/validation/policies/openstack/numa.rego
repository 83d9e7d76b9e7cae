package io.konveyor.forklift.openstack

# Reads flavor.extraSpecs hw:numa_* and image.properties hw_numa_*.
has_numa_topology if {
	some key, _ in input.flavor.extraSpecs
	startswith(key, "hw:numa_")
}

has_numa_topology if {
	some key, _ in input.image.properties
	startswith(key, "hw_numa_")
}

concerns contains flag if {
	has_numa_topology
	flag := {
		"category": "Warning",
		"label": "NUMA topology",
		"assessment": "The flavor or image defines a guest NUMA topology (hw:numa_nodes and related settings). It is not migrated; to keep NUMA placement, use dedicated CPU placement with the guestMappingPassthrough NUMA policy (and huge pages) on the migrated VM.",
	}
}

package io.konveyor.forklift.ovirt

# Reads numaNodeAffinity (the host NUMA nodes the VM's virtual NUMA nodes are pinned to).
has_numa_pinning if {
	is_array(input.numaNodeAffinity)
	count(input.numaNodeAffinity) > 0
}

concerns contains flag if {
	has_numa_pinning
	flag := {
		"category": "Warning",
		"label": "NUMA pinning",
		"assessment": "The VM's virtual NUMA nodes are pinned to host NUMA nodes. NUMA pinning is not migrated; to keep NUMA placement, use dedicated CPU placement with the guestMappingPassthrough NUMA policy (and huge pages) on the migrated VM.",
	}
}

package io.konveyor.forklift.vmware

# The VM bound to NUMA nodes of its host (extraConfig numa.nodeAffinity, as a list of nodes).
has_numa_affinity if {
	is_array(input.numaNodeAffinity)
	count(input.numaNodeAffinity) > 0
}

concerns contains flag if {
	has_numa_affinity
	flag := {
		"category": "Warning",
		"label": "NUMA node affinity",
		"assessment": "The VM is bound to specific NUMA nodes of its ESXi host (numa.nodeAffinity). The binding is not migrated. If the workload needs it, give the target VM dedicated CPUs and a guest NUMA topology that follows its node's.",
	}
}

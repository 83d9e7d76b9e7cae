package io.konveyor.forklift.vmware

# Scheduling affinity to some physical CPUs of the host (config.cpuAffinity.affinitySet).
has_cpu_affinity if {
	is_array(input.cpuAffinity)
	count(input.cpuAffinity) > 0
}

concerns contains flag if {
	has_cpu_affinity
	flag := {
		"category": "Warning",
		"label": "CPU affinity",
		"assessment": "The VM is restricted to some physical CPUs of its ESXi host (scheduling affinity). The setting is not migrated: the migrated VM can run on any CPU of its node. Configure dedicated CPU placement on the target VM if the workload depends on it.",
	}
}

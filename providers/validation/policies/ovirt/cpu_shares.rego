package io.konveyor.forklift.ovirt

# Reads cpuShares (0 when not set).
has_cpu_shares if {
	is_number(input.cpuShares)
	input.cpuShares > 0
}

concerns contains flag if {
	has_cpu_shares
	flag := {
		"category": "Warning",
		"label": "CPU shares set",
		"assessment": "The VM has a CPU shares weight that gives it more or less CPU time than other VMs under contention. CPU shares are not migrated: on OpenShift Virtualization the VM's CPU requests and limits set its share.",
	}
}

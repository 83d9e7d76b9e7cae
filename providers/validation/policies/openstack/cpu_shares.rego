package io.konveyor.forklift.openstack

# Reads flavor.extraSpecs["quota:cpu_shares"].
has_cpu_shares if {
	value := input.flavor.extraSpecs["quota:cpu_shares"]
	is_string(value)
	value != ""
}

concerns contains flag if {
	has_cpu_shares
	flag := {
		"category": "Warning",
		"label": "CPU shares set",
		"assessment": "The flavor sets a CPU shares weight (quota:cpu_shares). CPU shares are not migrated: on OpenShift Virtualization the VM's CPU requests and limits set its share.",
	}
}

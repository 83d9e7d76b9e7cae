package io.konveyor.forklift.ovirt

# CPU tune: vCPU-to-host-CPU pins.
# Reads cpuAffinity.
has_vcpu_pins if {
	is_array(input.cpuAffinity)
	count(input.cpuAffinity) > 0
}

concerns contains flag if {
	has_vcpu_pins
	flag := {
		"category": "Warning",
		"label": "vCPUs pinned to host CPUs",
		"assessment": "The VM's vCPUs are pinned to particular host CPUs. Pinning is not migrated: on OpenShift Virtualization the vCPUs run on any of the node's CPUs unless you give the VM dedicated CPU placement.",
	}
}

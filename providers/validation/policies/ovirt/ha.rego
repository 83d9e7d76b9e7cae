package io.konveyor.forklift.ovirt

# Reads haEnabled.
has_high_availability if input.haEnabled == true

concerns contains flag if {
	has_high_availability
	flag := {
		"category": "Warning",
		"label": "VM configured as highly available",
		"assessment": "oVirt restarts this VM automatically, on another host if needed. High availability settings are not migrated: on OpenShift Virtualization a run strategy of Always restarts the VM, and recovery from a node failure depends on the cluster's node remediation.",
	}
}

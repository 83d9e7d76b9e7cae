package io.konveyor.forklift.vmware

# vSphere Fault Tolerance configured (config.ftInfo is set for both the primary and the secondary).
has_fault_tolerance if input.faultToleranceEnabled == true

concerns contains flag if {
	has_fault_tolerance
	flag := {
		"category": "Warning",
		"label": "Fault tolerance enabled",
		"assessment": "vSphere Fault Tolerance keeps a secondary copy of this VM running in lockstep on another host. OpenShift Virtualization has no equivalent: the migrated VM runs as a single instance. Turn off Fault Tolerance before migrating; the secondary VM is not migrated.",
	}
}

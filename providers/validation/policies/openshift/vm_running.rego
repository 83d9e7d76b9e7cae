package io.konveyor.forklift.openshift

# powerState is "On" while the VM runs or is meant to run (its printableStatus is not Stopped).
is_running if input.powerState == "On"

concerns contains flag if {
	is_running
	flag := {
		"category": "Warning",
		"label": "VM is running",
		"assessment": "Migration from OpenShift Virtualization is cold: the VM is shut down before its disks are copied and stays down until its migration ends; the migrated VM is then started in the target. Plan the downtime, or stop the VM yourself first.",
	}
}

package io.konveyor.forklift.ovirt

# Reads hostDevices.
has_host_devices if {
	is_array(input.hostDevices)
	count(input.hostDevices) > 0
}

concerns contains flag if {
	has_host_devices
	flag := {
		"category": "Warning",
		"label": "Host devices attached",
		"assessment": "Host devices (for example PCI devices or GPUs) are passed through to this VM. They are not migrated: after migration, give the VM matching host devices or GPUs that the target cluster permits, on nodes that have them.",
	}
}

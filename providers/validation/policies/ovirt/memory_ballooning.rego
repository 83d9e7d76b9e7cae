package io.konveyor.forklift.ovirt

# Reads balloonedMemory.
has_memory_ballooning if input.balloonedMemory == true

concerns contains flag if {
	has_memory_ballooning
	flag := {
		"category": "Information",
		"label": "Memory ballooning enabled",
		"assessment": "oVirt can reclaim this VM's unused memory through its balloon device. OpenShift Virtualization does not balloon memory back to the host: the migrated VM keeps its full memory.",
	}
}

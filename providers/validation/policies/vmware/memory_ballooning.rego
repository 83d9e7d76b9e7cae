package io.konveyor.forklift.vmware

# The balloon driver holds memory of the VM now (summary.quickStats.balloonedMemory, in MB).
has_ballooned_memory if {
	is_number(input.balloonedMemory)
	input.balloonedMemory > 0
}

concerns contains flag if {
	has_ballooned_memory
	flag := {
		"category": "Warning",
		"label": "Memory ballooning active",
		"assessment": "The balloon driver is reclaiming memory from this VM: its ESXi host is short of memory. The migrated VM gets all of its configured memory; make sure the target nodes have room for it.",
	}
}

package io.konveyor.forklift.ova

has_no_disks if {
	is_array(input.disks)
	count(input.disks) == 0
}

concerns contains flag if {
	has_no_disks
	flag := {
		"category": "Critical",
		"label": "VM has no disks",
		"assessment": "The OVF describes no virtual disk: there is nothing to copy, and the guest conversion finds no operating system to convert, so the migration of this VM fails. If the export lost its disks, export the VM again from vSphere with them.",
	}
}

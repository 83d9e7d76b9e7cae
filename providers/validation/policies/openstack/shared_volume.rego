package io.konveyor.forklift.openstack

# Reads disks[].shared (the volume's multiattach).
has_multiattach_volume if {
	some disk in input.disks
	disk.shared == true
}

concerns contains flag if {
	has_multiattach_volume
	flag := {
		"category": "Warning",
		"label": "Multi-attach volume",
		"assessment": "A multi-attach volume may be attached to other servers too. It is copied like any other volume: the copy belongs to this VM only, and writes made by the other servers after the copy are not in it.",
	}
}

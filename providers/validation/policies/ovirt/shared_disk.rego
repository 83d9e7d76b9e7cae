package io.konveyor.forklift.ovirt

# Reads diskAttachments[].disk.shared.
has_shared_disk if {
	some attachment in input.diskAttachments
	attachment.disk.shared == true
}

concerns contains flag if {
	has_shared_disk
	flag := {
		"category": "Warning",
		"label": "Shared disk",
		"assessment": "A shareable disk is attached to this VM and may be attached to other VMs too. It is copied like any other disk: the copy belongs to this VM only, and writes made by the other VMs after the copy are not in it.",
	}
}

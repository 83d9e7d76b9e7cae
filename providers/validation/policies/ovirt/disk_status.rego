package io.konveyor.forklift.ovirt

# A disk whose status is not ok (locked by an operation, or illegal) cannot be read.
# Reads diskAttachments[].disk.status.
has_disk_not_ok if {
	some attachment in input.diskAttachments
	status := attachment.disk.status
	is_string(status)
	not status in {"", "ok"}
}

concerns contains flag if {
	has_disk_not_ok
	flag := {
		"category": "Critical",
		"label": "Disk locked or illegal",
		"assessment": "A disk of this VM is locked by a running operation or illegal, so its data cannot be transferred. Wait for the operation to finish or repair the disk in oVirt, then validate again.",
	}
}

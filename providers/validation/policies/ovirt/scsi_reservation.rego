package io.konveyor.forklift.ovirt

# Reads diskAttachments[].scsiReservation.
has_scsi_reservation if {
	some attachment in input.diskAttachments
	attachment.scsiReservation == true
}

concerns contains flag if {
	has_scsi_reservation
	flag := {
		"category": "Warning",
		"label": "SCSI reservation",
		"assessment": "A disk passes SCSI persistent reservations through to the guest, as clustered applications use them. This is not migrated: on OpenShift Virtualization such a disk needs to be a LUN disk with reservation enabled (PersistentReservation feature gate).",
	}
}

package io.konveyor.forklift.ovirt

# KubeVirt disks attach through virtio, SATA or SCSI; IDE and sPAPR VSCSI have no equivalent.
# Reads diskAttachments[].interface.
has_unsupported_disk_interface if {
	some attachment in input.diskAttachments
	is_string(attachment.interface)
	not attachment.interface in {"", "virtio", "virtio_scsi", "sata"}
}

concerns contains flag if {
	has_unsupported_disk_interface
	flag := {
		"category": "Warning",
		"label": "Disk interface not supported",
		"assessment": "A disk uses an IDE or sPAPR VSCSI interface, which OpenShift Virtualization does not offer. The disk is attached through another bus after migration, and the guest needs a driver for that bus to boot from it.",
	}
}

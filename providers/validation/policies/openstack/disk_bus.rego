package io.konveyor.forklift.openstack

# KubeVirt disks attach through virtio, SATA, SCSI or USB. Reads disks[].bus (hw_disk_bus).
has_unsupported_disk_bus if {
	some disk in input.disks
	is_string(disk.bus)
	not disk.bus in {"", "virtio", "scsi", "sata", "usb"}
}

concerns contains flag if {
	has_unsupported_disk_bus
	flag := {
		"category": "Warning",
		"label": "Disk bus not supported",
		"assessment": "A volume is attached through a bus that OpenShift Virtualization does not offer (hw_disk_bus such as ide). It is attached through another bus after migration, and the guest needs a driver for that bus to boot from it.",
	}
}

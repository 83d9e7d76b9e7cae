package io.konveyor.forklift.vmware

# CBT on for the VM but off for a disk (its scsiX:Y.ctkEnabled is FALSE). When the VM itself has CBT
# off, every disk reads as off too: cbt_disabled.rego says so once.
cbt_disabled_disks contains disk if {
	input.changeTrackingEnabled == true
	some disk in input.disks
	disk.changeTrackingEnabled == false
}

concerns contains flag if {
	count(cbt_disabled_disks) > 0
	flag := {
		"category": "Warning",
		"label": "Changed block tracking disabled on a disk",
		"assessment": "CBT is on for the VM but turned off for at least one of its disks (the disk's ctkEnabled is FALSE). A warm migration cannot track the changes of such a disk. Enable CBT on every disk, or migrate the VM cold.",
	}
}

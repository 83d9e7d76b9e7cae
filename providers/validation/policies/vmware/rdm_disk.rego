package io.konveyor.forklift.vmware

# A raw device mapping: the disk's data is a SAN LUN, not a VMDK (input.disks[_].rdm).
rdm_disks contains disk if {
	some disk in input.disks
	disk.rdm == true
}

concerns contains flag if {
	count(rdm_disks) > 0
	flag := {
		"category": "Critical",
		"label": "Raw device mapping (RDM) disk",
		"assessment": "A disk of this VM is a raw device mapping: its data lives on a SAN LUN, not in a VMDK, and the migration cannot copy it. Before migrating, convert it to a virtual disk (VMDK), or detach it and present the LUN to the target cluster separately.",
	}
}

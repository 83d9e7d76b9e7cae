package io.konveyor.forklift.vmware

# A disk attached with multi-writer sharing (input.disks[_].shared), as in guest clusters.
shared_disks contains disk if {
	some disk in input.disks
	disk.shared == true
}

concerns contains flag if {
	count(shared_disks) > 0
	flag := {
		"category": "Warning",
		"label": "Shared disk (multi-writer)",
		"assessment": "A disk of this VM is shared with other VMs (multi-writer), as in a guest cluster. Each migrated VM would get a copy of its own rather than one disk they share. Migrate the VMs that share it together and attach the migrated disk to all of them on the target (a ReadWriteMany block volume), or detach it from all but one VM first.",
	}
}

package io.konveyor.forklift.ovirt

# Guide §2.5: a direct LUN is moved, not copied. Reads diskAttachments[].disk.storageType.
has_lun_disk if {
	some attachment in input.diskAttachments
	attachment.disk.storageType == "lun"
}

concerns contains flag if {
	has_lun_disk
	flag := {
		"category": "Warning",
		"label": "Direct LUN disk",
		"assessment": "A disk is a direct LUN. It is not copied: the LUN is detached from the oVirt VM and attached to the migrated VM, so the target nodes must reach its storage (Fibre Channel LUNs cannot be migrated). Do not attach it to the source VM again while the migrated VM uses it.",
	}
}

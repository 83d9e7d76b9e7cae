package io.konveyor.forklift.ovirt

# Image disks and direct LUNs can be migrated; managed block storage (Cinder) disks cannot.
# Reads diskAttachments[].disk.storageType.
has_unsupported_storage_disk if {
	some attachment in input.diskAttachments
	storage_type := attachment.disk.storageType
	is_string(storage_type)
	not storage_type in {"", "image", "lun"}
}

concerns contains flag if {
	has_unsupported_storage_disk
	flag := {
		"category": "Critical",
		"label": "Disk on unsupported storage",
		"assessment": "A disk is a managed block storage (Cinder) disk. Only image disks and direct LUNs can be migrated: move the data to a disk on an image-based data storage domain first.",
	}
}

package io.konveyor.forklift.openstack

# Guide §2.6: only servers whose disks are all Cinder volumes can be migrated. Reads imageBased
# (booted from a Glance image) and localDisks (root, ephemeral and swap disks on the compute host).
has_local_disks if input.imageBased == true

has_local_disks if {
	is_array(input.localDisks)
	count(input.localDisks) > 0
}

concerns contains flag if {
	has_local_disks
	flag := {
		"category": "Critical",
		"label": "VM not backed only by Cinder volumes",
		"assessment": "The server boots from an image or has ephemeral or swap disks on its compute host. Only servers whose disks are all Cinder volumes can be migrated: rebuild it from a volume, or move its data to volumes first.",
	}
}

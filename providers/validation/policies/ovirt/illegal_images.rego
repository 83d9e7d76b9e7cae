package io.konveyor.forklift.ovirt

# The engine flags VMs with illegal images (typically broken snapshot volumes).
# Reads hasIllegalImages.
has_illegal_images if input.hasIllegalImages == true

concerns contains flag if {
	has_illegal_images
	flag := {
		"category": "Critical",
		"label": "VM has illegal images",
		"assessment": "oVirt marks some of this VM's images (often snapshot volumes) as illegal, so its disk chains cannot be read reliably. Repair them, for example by removing the affected snapshots, before migrating.",
	}
}

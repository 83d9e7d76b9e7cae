package io.konveyor.forklift.openstack

# Reads secureBoot (os_secure_boot of the image or os:secure_boot of the flavor is required).
has_secure_boot if input.secureBoot == true

concerns contains flag if {
	has_secure_boot
	flag := {
		"category": "Warning",
		"label": "UEFI secure boot",
		"assessment": "Secure boot is required for this server. The migrated VM boots with UEFI secure boot too, but its UEFI variables (enrolled keys, boot entries) are not migrated: a guest that relies on custom keys may not boot.",
	}
}

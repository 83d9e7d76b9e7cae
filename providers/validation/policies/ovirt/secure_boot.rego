package io.konveyor.forklift.ovirt

# Reads bios, and cluster.biosType when the VM uses the cluster's default.
has_secure_boot if input.bios == "q35_secure_boot"

has_secure_boot if {
	input.bios == "cluster_default"
	input.cluster.biosType == "q35_secure_boot"
}

concerns contains flag if {
	has_secure_boot
	flag := {
		"category": "Warning",
		"label": "UEFI secure boot",
		"assessment": "The VM boots with UEFI secure boot. The migrated VM boots with secure boot too, but its UEFI variables (enrolled keys, boot entries) are not migrated: a guest that relies on custom keys may not boot.",
	}
}

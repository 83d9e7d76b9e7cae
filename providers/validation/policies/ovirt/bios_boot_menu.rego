package io.konveyor.forklift.ovirt

# Reads bootMenuEnabled.
has_boot_menu if input.bootMenuEnabled == true

concerns contains flag if {
	has_boot_menu
	flag := {
		"category": "Warning",
		"label": "BIOS boot menu enabled",
		"assessment": "The VM offers a boot menu at start-up. OpenShift Virtualization has no boot menu setting: the migrated VM boots straight from its boot disk.",
	}
}

package io.konveyor.forklift.openstack

# Reads image.properties.hw_boot_menu and flavor.extraSpecs["hw:boot_menu"].
has_boot_menu if {
	value := input.image.properties.hw_boot_menu
	is_string(value)
	lower(value) in {"true", "yes", "1", "on"}
}

has_boot_menu if {
	value := input.flavor.extraSpecs["hw:boot_menu"]
	is_string(value)
	lower(value) in {"true", "yes", "1", "on"}
}

concerns contains flag if {
	has_boot_menu
	flag := {
		"category": "Warning",
		"label": "BIOS boot menu enabled",
		"assessment": "The image or flavor turns on the boot menu. OpenShift Virtualization has no boot menu setting: the migrated VM boots straight from its boot disk.",
	}
}

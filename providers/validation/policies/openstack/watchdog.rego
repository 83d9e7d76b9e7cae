package io.konveyor.forklift.openstack

# Reads image.properties.hw_watchdog_action and flavor.extraSpecs["hw:watchdog_action"].
has_watchdog if {
	value := input.image.properties.hw_watchdog_action
	is_string(value)
	not value in {"", "disabled"}
}

has_watchdog if {
	value := input.flavor.extraSpecs["hw:watchdog_action"]
	is_string(value)
	not value in {"", "disabled"}
}

concerns contains flag if {
	has_watchdog
	flag := {
		"category": "Warning",
		"label": "Watchdog device",
		"assessment": "The image or flavor gives the server a watchdog (hw_watchdog_action). It is not migrated: add a watchdog (model i6300esb) with the action you want to the migrated VM if the guest relies on it.",
	}
}

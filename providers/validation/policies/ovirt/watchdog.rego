package io.konveyor.forklift.ovirt

# Reads watchDogs.
has_watchdog if {
	is_array(input.watchDogs)
	count(input.watchDogs) > 0
}

concerns contains flag if {
	has_watchdog
	flag := {
		"category": "Warning",
		"label": "Watchdog device",
		"assessment": "The VM has a watchdog device. It is not migrated: add a watchdog (model i6300esb) with the action you want to the migrated VM if the guest relies on it.",
	}
}

package io.konveyor.forklift.ovirt

# Only VMs that are up or down can be migrated (cold migration shuts an up VM down first).
# Reads status.
status_not_migratable if {
	is_string(input.status)
	not input.status in {"", "up", "down"}
}

concerns contains flag if {
	status_not_migratable
	flag := {
		"category": "Critical",
		"label": "VM status does not allow migration",
		"assessment": "The VM is neither up nor down (for example suspended, paused, migrating or not responding). Bring it to a stable state first: resume it and shut it down, or wait for the operation to finish.",
	}
}

package io.konveyor.forklift.openstack

# Only ACTIVE and SHUTOFF servers can be migrated. Reads status.
status_not_migratable if {
	is_string(input.status)
	not input.status in {"", "ACTIVE", "SHUTOFF"}
}

concerns contains flag if {
	status_not_migratable
	flag := {
		"category": "Critical",
		"label": "VM status does not allow migration",
		"assessment": "The server is neither ACTIVE nor SHUTOFF (for example ERROR, PAUSED, SUSPENDED or SHELVED). Bring it to one of those states before migrating.",
	}
}

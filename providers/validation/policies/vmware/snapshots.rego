package io.konveyor.forklift.vmware

# The VM has snapshots (input.snapshot, the current one; snapshotCount, the whole tree).
has_snapshots if {
	is_object(input.snapshot)
}

has_snapshots if {
	is_number(input.snapshotCount)
	input.snapshotCount > 0
}

concerns contains flag if {
	has_snapshots
	flag := {
		"category": "Information",
		"label": "VM has snapshots",
		"assessment": "The VM has snapshots. Only the current state of its disks is migrated, not the snapshots. A warm migration adds snapshots of its own and vSphere allows 32 in a chain: remove the snapshots you no longer need before a warm migration.",
	}
}

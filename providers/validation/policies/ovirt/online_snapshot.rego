package io.konveyor.forklift.ovirt

# Reads snapshots[].persistMemory.
has_memory_snapshot if {
	some snapshot in input.snapshots
	snapshot.persistMemory == true
}

concerns contains flag if {
	has_memory_snapshot
	flag := {
		"category": "Warning",
		"label": "Snapshot with memory state",
		"assessment": "A snapshot of this VM includes its memory (it was taken while the VM ran). Snapshots are not migrated, only the current state of the disks, so the saved memory state cannot be restored on the target.",
	}
}

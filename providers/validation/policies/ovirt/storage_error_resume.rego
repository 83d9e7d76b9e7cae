package io.konveyor.forklift.ovirt

# auto_resume is oVirt's default; kill and leave_paused are not carried over.
# Reads storageErrorResumeBehaviour.
resume_behaviour_changed if {
	is_string(input.storageErrorResumeBehaviour)
	not input.storageErrorResumeBehaviour in {"", "auto_resume"}
}

concerns contains flag if {
	resume_behaviour_changed
	flag := {
		"category": "Information",
		"label": "Storage error resume behaviour",
		"assessment": "After a storage I/O error oVirt kills this VM or leaves it paused instead of resuming it. That setting is not migrated: in OpenShift Virtualization the disks' error policy decides what happens (by default the VM is paused).",
	}
}

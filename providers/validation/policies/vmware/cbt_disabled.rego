package io.konveyor.forklift.vmware

# Changed block tracking off for the VM (config.changeTrackingEnabled).
has_cbt_disabled if input.changeTrackingEnabled == false

concerns contains flag if {
	has_cbt_disabled
	flag := {
		"category": "Warning",
		"label": "Changed block tracking disabled",
		"assessment": "Changed block tracking (CBT) is off for this VM. A cold migration is not affected, but a warm migration needs CBT to copy only what changed between its snapshots. Enable CBT (ctkEnabled) on the VM before a warm migration; it takes effect after the next power cycle or snapshot.",
	}
}

package io.konveyor.forklift.ova

has_secure_boot if input.secureBoot == true

concerns contains flag if {
	has_secure_boot
	flag := {
		"category": "Warning",
		"label": "UEFI secure boot enabled",
		"assessment": "The VM boots with UEFI secure boot. In OpenShift Virtualization the firmware trusts only the keys it comes with (Microsoft's): keys and boot entries enrolled in the VM's NVRAM in vSphere are not carried over. A guest whose boot loader is signed with other keys will not start until secure boot is turned off for the migrated VM.",
	}
}

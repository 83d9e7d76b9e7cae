package io.konveyor.forklift.vmware

# UEFI secure boot enabled (config.bootOptions.efiSecureBootEnabled).
has_secure_boot if input.secureBoot == true

concerns contains flag if {
	has_secure_boot
	flag := {
		"category": "Warning",
		"label": "UEFI secure boot enabled",
		"assessment": "Secure boot is enabled on this VM. The keys enrolled in its NVRAM are not migrated: the target VM's firmware has its default keys. A guest whose boot chain is signed only with custom keys will not boot with secure boot on the target; check that before migrating.",
	}
}

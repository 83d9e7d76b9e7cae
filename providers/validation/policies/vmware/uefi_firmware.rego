package io.konveyor.forklift.vmware

# The VM boots with EFI firmware (config.firmware).
has_uefi_firmware if input.firmware == "efi"

concerns contains flag if {
	has_uefi_firmware
	flag := {
		"category": "Warning",
		"label": "UEFI firmware",
		"assessment": "The VM boots with UEFI firmware, and the target VM is set to boot with EFI as well. Its EFI variables (NVRAM, including the boot entries) are not migrated, so the guest must boot from the default EFI boot loader on its disk; check that it does.",
	}
}

package io.konveyor.forklift.vmware_test

import data.io.konveyor.forklift.vmware

uefi_firmware_label := "UEFI firmware"

uefi_firmware_fires(vm) if {
	some concern in vmware.concerns with input as vm
	concern.label == uefi_firmware_label
}

test_uefi_firmware_is_warning if {
	concerns := vmware.concerns with input as {"firmware": "efi"}
	some concern in concerns
	concern.label == uefi_firmware_label
	concern.category == "Warning"
}

test_uefi_firmware_fires_2 if uefi_firmware_fires({"firmware": "efi", "secureBoot": true})

test_uefi_firmware_quiet_1 if not uefi_firmware_fires({"firmware": "bios"})

test_uefi_firmware_quiet_2 if not uefi_firmware_fires({})

test_uefi_firmware_quiet_3 if not uefi_firmware_fires({"firmware": null})

test_uefi_firmware_quiet_4 if not uefi_firmware_fires({"firmware": "EFI firmware"})

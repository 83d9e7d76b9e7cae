package io.konveyor.forklift.vmware_test

import data.io.konveyor.forklift.vmware

secure_boot_label := "UEFI secure boot enabled"

secure_boot_fires(vm) if {
	some concern in vmware.concerns with input as vm
	concern.label == secure_boot_label
}

test_secure_boot_is_warning if {
	concerns := vmware.concerns with input as {"firmware": "efi", "secureBoot": true}
	some concern in concerns
	concern.label == secure_boot_label
	concern.category == "Warning"
}

test_secure_boot_quiet_1 if not secure_boot_fires({"firmware": "efi", "secureBoot": false})

test_secure_boot_quiet_2 if not secure_boot_fires({})

test_secure_boot_quiet_3 if not secure_boot_fires({"secureBoot": null})

test_secure_boot_quiet_4 if not secure_boot_fires({"secureBoot": "true"})

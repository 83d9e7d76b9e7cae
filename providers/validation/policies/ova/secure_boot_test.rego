package io.konveyor.forklift.ova_test

import data.io.konveyor.forklift.ova

secure_boot_label := "UEFI secure boot enabled"

test_secure_boot if {
	concerns := ova.concerns with input as {"firmware": "efi", "secureBoot": true}
	some concern in concerns
	concern.label == secure_boot_label
	concern.category == "Warning"
}

test_uefi_without_secure_boot if {
	every record in [{"firmware": "efi", "secureBoot": false}, {"firmware": "bios"}, {}, {"secureBoot": null}] {
		not secure_boot_label in labels_for(record)
	}
}

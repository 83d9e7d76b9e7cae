package io.konveyor.forklift.openstack_test

secure_boot_label := "UEFI secure boot"

test_secure_boot_required if raises(secure_boot_label, "Warning", {"secureBoot": true, "firmware": "efi"})

test_secure_boot_off if quiet(secure_boot_label, {"secureBoot": false, "firmware": "efi"})

test_secure_boot_missing_fields if quiet(secure_boot_label, {})

test_secure_boot_null_fields if quiet(secure_boot_label, null_record)

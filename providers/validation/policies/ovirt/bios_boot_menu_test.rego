package io.konveyor.forklift.ovirt_test

bios_boot_menu_label := "BIOS boot menu enabled"

test_bios_boot_menu_enabled if raises(bios_boot_menu_label, "Warning", {"bootMenuEnabled": true})

test_bios_boot_menu_disabled if quiet(bios_boot_menu_label, {"bootMenuEnabled": false})

test_bios_boot_menu_missing_fields if quiet(bios_boot_menu_label, {})

test_bios_boot_menu_null_fields if quiet(bios_boot_menu_label, null_record)

package io.konveyor.forklift.openstack_test

bios_boot_menu_label := "BIOS boot menu enabled"

test_bios_boot_menu_image if raises(bios_boot_menu_label, "Warning", {"image": {"name": "test", "properties": {"hw_boot_menu": "true"}}})

test_bios_boot_menu_flavor if raises(bios_boot_menu_label, "Warning", {"flavor": {"name": "m1.test", "extraSpecs": {"hw:boot_menu": "True"}}})

test_bios_boot_menu_off if quiet(bios_boot_menu_label, {"image": {"name": "test", "properties": {"hw_boot_menu": "false"}}, "flavor": {"name": "m1.test", "extraSpecs": {"hw:boot_menu": "no"}}})

test_bios_boot_menu_unset if quiet(bios_boot_menu_label, {"image": {"name": "test", "properties": {}}, "flavor": {"name": "m1.test", "extraSpecs": {}}})

test_bios_boot_menu_missing_fields if quiet(bios_boot_menu_label, {})

test_bios_boot_menu_null_fields if quiet(bios_boot_menu_label, null_record)

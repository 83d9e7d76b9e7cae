package io.konveyor.forklift.ovirt_test

secure_boot_label := "UEFI secure boot"

test_secure_boot_vm if raises(secure_boot_label, "Warning", {"bios": "q35_secure_boot"})

test_secure_boot_cluster_default if raises(secure_boot_label, "Warning", {"bios": "cluster_default", "cluster": {"biosType": "q35_secure_boot"}})

test_secure_boot_uefi if quiet(secure_boot_label, {"bios": "q35_ovmf", "cluster": {"biosType": "q35_secure_boot"}})

test_secure_boot_cluster_uefi if quiet(secure_boot_label, {"bios": "cluster_default", "cluster": {"biosType": "q35_ovmf"}})

test_secure_boot_missing_fields if quiet(secure_boot_label, {})

test_secure_boot_null_fields if quiet(secure_boot_label, null_record)

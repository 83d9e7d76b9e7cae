package io.konveyor.forklift.ovirt_test

host_devices_label := "Host devices attached"

test_host_devices_attached if raises(host_devices_label, "Warning", {"hostDevices": [{"capability": "pci", "product": "T4"}]})

test_host_devices_none if quiet(host_devices_label, {"hostDevices": []})

test_host_devices_missing_fields if quiet(host_devices_label, {})

test_host_devices_null_fields if quiet(host_devices_label, null_record)

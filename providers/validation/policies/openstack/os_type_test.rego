package io.konveyor.forklift.openstack_test

os_type_label := "Guest OS unknown"

test_os_type_neither if raises(os_type_label, "Warning", {"osType": "", "osDistro": ""})

test_os_type_missing_fields if raises(os_type_label, "Warning", {})

test_os_type_null_fields if raises(os_type_label, "Warning", null_record)

test_os_type_type_only if quiet(os_type_label, {"osType": "linux", "osDistro": ""})

test_os_type_distro_only if quiet(os_type_label, {"osDistro": "rhel"})

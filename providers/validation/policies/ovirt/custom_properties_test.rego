package io.konveyor.forklift.ovirt_test

custom_properties_label := "VM custom properties"

test_custom_properties_set if raises(custom_properties_label, "Warning", {"properties": [{"name": "sndbuf", "value": "0"}]})

test_custom_properties_none if quiet(custom_properties_label, {"properties": []})

test_custom_properties_missing_fields if quiet(custom_properties_label, {})

test_custom_properties_null_fields if quiet(custom_properties_label, null_record)

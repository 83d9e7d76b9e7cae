package io.konveyor.forklift.openstack_test

name_label := "VM name not valid in Kubernetes"

test_name_capitals_and_dots if raises(name_label, "Warning", {"name": "VM_Invalid.Name"})

test_name_leading_dash if raises(name_label, "Warning", {"name": "-vm"})

test_name_too_long if raises(name_label, "Warning", {"name": letters(254)})

test_name_valid if quiet(name_label, {"name": "vm-good"})

test_name_longest_valid if quiet(name_label, {"name": letters(253)})

test_name_missing_fields if quiet(name_label, {})

test_name_null_fields if quiet(name_label, null_record)

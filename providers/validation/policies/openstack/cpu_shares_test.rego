package io.konveyor.forklift.openstack_test

cpu_shares_label := "CPU shares set"

test_cpu_shares_set if raises(cpu_shares_label, "Warning", {"flavor": {"name": "m1.test", "extraSpecs": {"quota:cpu_shares": "2048"}}})

test_cpu_shares_unset if quiet(cpu_shares_label, {"flavor": {"name": "m1.test", "extraSpecs": {"hw:cpu_policy": "shared"}}})

test_cpu_shares_missing_fields if quiet(cpu_shares_label, {})

test_cpu_shares_null_fields if quiet(cpu_shares_label, null_record)

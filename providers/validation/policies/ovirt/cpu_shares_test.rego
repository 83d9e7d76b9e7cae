package io.konveyor.forklift.ovirt_test

cpu_shares_label := "CPU shares set"

test_cpu_shares_set if raises(cpu_shares_label, "Warning", {"cpuShares": 1024})

test_cpu_shares_unset if quiet(cpu_shares_label, {"cpuShares": 0})

test_cpu_shares_missing_fields if quiet(cpu_shares_label, {})

test_cpu_shares_null_fields if quiet(cpu_shares_label, null_record)

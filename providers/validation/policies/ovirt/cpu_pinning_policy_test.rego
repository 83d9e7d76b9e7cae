package io.konveyor.forklift.ovirt_test

cpu_pinning_policy_label := "CPU pinning policy"

test_cpu_pinning_policy_dedicated if raises(cpu_pinning_policy_label, "Warning", {"cpuPinningPolicy": "dedicated"})

test_cpu_pinning_policy_isolate_threads if raises(cpu_pinning_policy_label, "Warning", {"cpuPinningPolicy": "isolate_threads"})

test_cpu_pinning_policy_none if quiet(cpu_pinning_policy_label, {"cpuPinningPolicy": "none"})

test_cpu_pinning_policy_manual if quiet(cpu_pinning_policy_label, {"cpuPinningPolicy": "manual"})

test_cpu_pinning_policy_missing_fields if quiet(cpu_pinning_policy_label, {})

test_cpu_pinning_policy_null_fields if quiet(cpu_pinning_policy_label, null_record)

package io.konveyor.forklift.ovirt_test

cpu_tune_label := "vCPUs pinned to host CPUs"

test_cpu_tune_pinned if raises(cpu_tune_label, "Warning", {"cpuAffinity": [{"set": "0-1", "cpu": 0}]})

test_cpu_tune_not_pinned if quiet(cpu_tune_label, {"cpuAffinity": []})

test_cpu_tune_missing_fields if quiet(cpu_tune_label, {})

test_cpu_tune_null_fields if quiet(cpu_tune_label, null_record)

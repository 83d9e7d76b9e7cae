package io.konveyor.forklift.ovirt_test

numa_tune_label := "NUMA pinning"

test_numa_tune_pinned if raises(numa_tune_label, "Warning", {"numaNodeAffinity": ["0", "1"]})

test_numa_tune_not_pinned if quiet(numa_tune_label, {"numaNodeAffinity": []})

test_numa_tune_missing_fields if quiet(numa_tune_label, {})

test_numa_tune_null_fields if quiet(numa_tune_label, null_record)

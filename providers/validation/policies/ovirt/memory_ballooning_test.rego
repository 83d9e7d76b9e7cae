package io.konveyor.forklift.ovirt_test

memory_ballooning_label := "Memory ballooning enabled"

test_memory_ballooning_enabled if raises(memory_ballooning_label, "Information", {"balloonedMemory": true})

test_memory_ballooning_disabled if quiet(memory_ballooning_label, {"balloonedMemory": false})

test_memory_ballooning_missing_fields if quiet(memory_ballooning_label, {})

test_memory_ballooning_null_fields if quiet(memory_ballooning_label, null_record)

package io.konveyor.forklift.vmware_test

import data.io.konveyor.forklift.vmware

memory_ballooning_label := "Memory ballooning active"

memory_ballooning_fires(vm) if {
	some concern in vmware.concerns with input as vm
	concern.label == memory_ballooning_label
}

test_memory_ballooning_is_warning if {
	concerns := vmware.concerns with input as {"balloonedMemory": 512}
	some concern in concerns
	concern.label == memory_ballooning_label
	concern.category == "Warning"
}

test_memory_ballooning_quiet_1 if not memory_ballooning_fires({"balloonedMemory": 0})

test_memory_ballooning_quiet_2 if not memory_ballooning_fires({})

test_memory_ballooning_quiet_3 if not memory_ballooning_fires({"balloonedMemory": null})

test_memory_ballooning_quiet_4 if not memory_ballooning_fires({"balloonedMemory": "512"})

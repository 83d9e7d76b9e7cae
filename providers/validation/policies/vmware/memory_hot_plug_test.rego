package io.konveyor.forklift.vmware_test

import data.io.konveyor.forklift.vmware

memory_hot_plug_label := "Memory hot plug enabled"

memory_hot_plug_fires(vm) if {
	some concern in vmware.concerns with input as vm
	concern.label == memory_hot_plug_label
}

test_memory_hot_plug_is_warning if {
	concerns := vmware.concerns with input as {"memoryHotAddEnabled": true}
	some concern in concerns
	concern.label == memory_hot_plug_label
	concern.category == "Warning"
}

test_memory_hot_plug_quiet_1 if not memory_hot_plug_fires({"memoryHotAddEnabled": false})

test_memory_hot_plug_quiet_2 if not memory_hot_plug_fires({})

test_memory_hot_plug_quiet_3 if not memory_hot_plug_fires({"memoryHotAddEnabled": null})

test_memory_hot_plug_quiet_4 if not memory_hot_plug_fires({"cpuHotAddEnabled": true})

package io.konveyor.forklift.vmware_test

import data.io.konveyor.forklift.vmware

cpu_hot_plug_label := "CPU hot plug enabled"

cpu_hot_plug_fires(vm) if {
	some concern in vmware.concerns with input as vm
	concern.label == cpu_hot_plug_label
}

test_cpu_hot_plug_is_warning if {
	concerns := vmware.concerns with input as {"cpuHotAddEnabled": true}
	some concern in concerns
	concern.label == cpu_hot_plug_label
	concern.category == "Warning"
}

test_cpu_hot_plug_fires_2 if cpu_hot_plug_fires({"cpuHotAddEnabled": false, "cpuHotRemoveEnabled": true})

test_cpu_hot_plug_quiet_1 if not cpu_hot_plug_fires({"cpuHotAddEnabled": false, "cpuHotRemoveEnabled": false})

test_cpu_hot_plug_quiet_2 if not cpu_hot_plug_fires({})

test_cpu_hot_plug_quiet_3 if not cpu_hot_plug_fires({"cpuHotAddEnabled": null, "cpuHotRemoveEnabled": null})

test_cpu_hot_plug_quiet_4 if not cpu_hot_plug_fires({"cpuHotAddEnabled": "true"})

test_cpu_hot_plug_quiet_5 if not cpu_hot_plug_fires({"memoryHotAddEnabled": true})

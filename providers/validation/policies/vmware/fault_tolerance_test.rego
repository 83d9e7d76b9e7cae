package io.konveyor.forklift.vmware_test

import data.io.konveyor.forklift.vmware

fault_tolerance_label := "Fault tolerance enabled"

fault_tolerance_fires(vm) if {
	some concern in vmware.concerns with input as vm
	concern.label == fault_tolerance_label
}

test_fault_tolerance_is_warning if {
	concerns := vmware.concerns with input as {"faultToleranceEnabled": true}
	some concern in concerns
	concern.label == fault_tolerance_label
	concern.category == "Warning"
}

test_fault_tolerance_quiet_1 if not fault_tolerance_fires({"faultToleranceEnabled": false})

test_fault_tolerance_quiet_2 if not fault_tolerance_fires({})

test_fault_tolerance_quiet_3 if not fault_tolerance_fires({"faultToleranceEnabled": null})

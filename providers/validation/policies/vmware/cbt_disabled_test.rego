package io.konveyor.forklift.vmware_test

import data.io.konveyor.forklift.vmware

cbt_disabled_label := "Changed block tracking disabled"

cbt_disabled_fires(vm) if {
	some concern in vmware.concerns with input as vm
	concern.label == cbt_disabled_label
}

test_cbt_disabled_is_warning if {
	concerns := vmware.concerns with input as {"changeTrackingEnabled": false}
	some concern in concerns
	concern.label == cbt_disabled_label
	concern.category == "Warning"
}

test_cbt_disabled_quiet_1 if not cbt_disabled_fires({"changeTrackingEnabled": true})

test_cbt_disabled_quiet_2 if not cbt_disabled_fires({})

test_cbt_disabled_quiet_3 if not cbt_disabled_fires({"changeTrackingEnabled": null})

test_cbt_disabled_quiet_4 if not cbt_disabled_fires({"changeTrackingEnabled": "false"})

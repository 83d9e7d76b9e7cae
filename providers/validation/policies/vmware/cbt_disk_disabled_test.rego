package io.konveyor.forklift.vmware_test

import data.io.konveyor.forklift.vmware

cbt_disk_disabled_label := "Changed block tracking disabled on a disk"

cbt_disk_disabled_fires(vm) if {
	some concern in vmware.concerns with input as vm
	concern.label == cbt_disk_disabled_label
}

test_cbt_disk_disabled_is_warning if {
	concerns := vmware.concerns with input as {"changeTrackingEnabled": true, "disks": [{"changeTrackingEnabled": true}, {"changeTrackingEnabled": false}]}
	some concern in concerns
	concern.label == cbt_disk_disabled_label
	concern.category == "Warning"
}

test_cbt_disk_disabled_quiet_1 if not cbt_disk_disabled_fires({"changeTrackingEnabled": true, "disks": [{"changeTrackingEnabled": true}]})

test_cbt_disk_disabled_quiet_2 if not cbt_disk_disabled_fires({"changeTrackingEnabled": false, "disks": [{"changeTrackingEnabled": false}]})

test_cbt_disk_disabled_quiet_3 if not cbt_disk_disabled_fires({})

test_cbt_disk_disabled_quiet_4 if not cbt_disk_disabled_fires({"changeTrackingEnabled": true})

test_cbt_disk_disabled_quiet_5 if not cbt_disk_disabled_fires({"changeTrackingEnabled": true, "disks": null})

test_cbt_disk_disabled_quiet_6 if not cbt_disk_disabled_fires({"changeTrackingEnabled": null, "disks": [{"changeTrackingEnabled": false}]})

test_cbt_disk_disabled_quiet_7 if not cbt_disk_disabled_fires({"changeTrackingEnabled": true, "disks": [null, {}, {"changeTrackingEnabled": null}]})

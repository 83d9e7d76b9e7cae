package io.konveyor.forklift.vmware_test

import data.io.konveyor.forklift.vmware

shared_disk_label := "Shared disk (multi-writer)"

shared_disk_fires(vm) if {
	some concern in vmware.concerns with input as vm
	concern.label == shared_disk_label
}

test_shared_disk_is_warning if {
	concerns := vmware.concerns with input as {"disks": [{"shared": false}, {"shared": true}]}
	some concern in concerns
	concern.label == shared_disk_label
	concern.category == "Warning"
}

test_shared_disk_quiet_1 if not shared_disk_fires({"disks": [{"shared": false}]})

test_shared_disk_quiet_2 if not shared_disk_fires({"disks": []})

test_shared_disk_quiet_3 if not shared_disk_fires({})

test_shared_disk_quiet_4 if not shared_disk_fires({"disks": null})

test_shared_disk_quiet_5 if not shared_disk_fires({"disks": [null, {"shared": null}, {"shared": "true"}, {}]})

package io.konveyor.forklift.vmware_test

import data.io.konveyor.forklift.vmware

rdm_disk_label := "Raw device mapping (RDM) disk"

rdm_disk_fires(vm) if {
	some concern in vmware.concerns with input as vm
	concern.label == rdm_disk_label
}

test_rdm_disk_is_critical if {
	concerns := vmware.concerns with input as {"disks": [{"rdm": false}, {"rdm": true, "mode": "independent_persistent"}]}
	some concern in concerns
	concern.label == rdm_disk_label
	concern.category == "Critical"
}

test_rdm_disk_quiet_1 if not rdm_disk_fires({"disks": [{"rdm": false}, {"rdm": false, "shared": true}]})

test_rdm_disk_quiet_2 if not rdm_disk_fires({"disks": []})

test_rdm_disk_quiet_3 if not rdm_disk_fires({})

test_rdm_disk_quiet_4 if not rdm_disk_fires({"disks": null})

test_rdm_disk_quiet_5 if not rdm_disk_fires({"disks": [null, {"rdm": null}, {"rdm": "true"}, {}]})

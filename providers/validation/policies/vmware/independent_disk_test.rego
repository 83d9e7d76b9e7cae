package io.konveyor.forklift.vmware_test

import data.io.konveyor.forklift.vmware

independent_disk_label := "Independent disk"

independent_disk_fires(vm) if {
	some concern in vmware.concerns with input as vm
	concern.label == independent_disk_label
}

test_independent_disk_is_critical if {
	concerns := vmware.concerns with input as {"disks": [{"mode": "persistent"}, {"mode": "independent_persistent"}]}
	some concern in concerns
	concern.label == independent_disk_label
	concern.category == "Critical"
}

test_independent_disk_fires_2 if independent_disk_fires({"disks": [{"mode": "independent_nonpersistent", "rdm": false}]})

test_independent_disk_quiet_1 if not independent_disk_fires({"disks": [{"mode": "persistent"}, {"mode": "nonpersistent"}]})

test_independent_disk_quiet_2 if not independent_disk_fires({"disks": [{"mode": "independent_persistent", "rdm": true}]})

test_independent_disk_quiet_3 if not independent_disk_fires({"disks": []})

test_independent_disk_quiet_4 if not independent_disk_fires({})

test_independent_disk_quiet_5 if not independent_disk_fires({"disks": null})

test_independent_disk_quiet_6 if not independent_disk_fires({"disks": [null, {"mode": null}, {"mode": 3}, {}]})

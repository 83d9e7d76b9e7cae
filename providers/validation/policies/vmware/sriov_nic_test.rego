package io.konveyor.forklift.vmware_test

import data.io.konveyor.forklift.vmware

sriov_nic_label := "SR-IOV network adapter"

sriov_nic_fires(vm) if {
	some concern in vmware.concerns with input as vm
	concern.label == sriov_nic_label
}

test_sriov_nic_is_critical if {
	concerns := vmware.concerns with input as {"nics": [{"model": "vmxnet3"}, {"model": "sriov"}]}
	some concern in concerns
	concern.label == sriov_nic_label
	concern.category == "Critical"
}

test_sriov_nic_quiet_1 if not sriov_nic_fires({"nics": [{"model": "vmxnet3"}, {"model": "e1000e"}]})

test_sriov_nic_quiet_2 if not sriov_nic_fires({"nics": []})

test_sriov_nic_quiet_3 if not sriov_nic_fires({})

test_sriov_nic_quiet_4 if not sriov_nic_fires({"nics": null})

test_sriov_nic_quiet_5 if not sriov_nic_fires({"nics": [null, {"model": null}, {}]})

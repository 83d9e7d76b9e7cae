package io.konveyor.forklift.ova_test

import data.io.konveyor.forklift.ova

mac_label := "NIC without a MAC address"

test_nic_without_mac if {
	concerns := ova.concerns with input as {"nics": [
		{"name": "Network adapter 1", "mac": "00:50:56:aa:00:05"},
		{"name": "Network adapter 2", "mac": null},
	]}
	some concern in concerns
	concern.label == mac_label
	concern.category == "Information"
	contains(concern.assessment, "Network adapter 2")
	not contains(concern.assessment, "Network adapter 1")
}

test_nics_with_macs if {
	every record in [
		{"nics": [{"name": "Network adapter 1", "mac": "00:50:56:aa:00:05"}]},
		{"nics": []}, {"nics": null}, {}, {"nics": [7]},
	] {
		not mac_label in labels_for(record)
	}
}

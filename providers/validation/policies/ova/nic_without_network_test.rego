package io.konveyor.forklift.ova_test

import data.io.konveyor.forklift.ova

unconnected_label := "NIC not connected to a network"

test_nic_without_network if {
	concerns := ova.concerns with input as {"nics": [
		{"name": "Network adapter 1", "network": "VM Network"},
		{"name": "Network adapter 2", "network": ""},
		{"name": "Network adapter 3"},
	]}
	some concern in concerns
	concern.label == unconnected_label
	concern.category == "Critical"
	contains(concern.assessment, "network: Network adapter 2, Network adapter 3.")
	not contains(concern.assessment, "Network adapter 1")
}

test_nics_with_networks if {
	every record in [
		{"nics": [{"name": "Network adapter 1", "network": "VM Network"}]},
		{"nics": []}, {"nics": null}, {}, {"nics": ["x"]},
	] {
		not unconnected_label in labels_for(record)
	}
}

package io.konveyor.forklift.ova_test

import data.io.konveyor.forklift.ova

vsphere_label := "OVF not exported from vSphere"

test_ovf_from_another_tool if {
	concerns := ova.concerns with input as {"exportedByVSphere": false}
	some concern in concerns
	concern.label == vsphere_label
	concern.category == "Warning"
}

test_ovf_from_vsphere if {
	concerns := ova.concerns with input as {"exportedByVSphere": true}
	every concern in concerns {
		concern.label != vsphere_label
	}
}

test_not_from_vsphere_quiet_when_unknown if {
	every record in [{}, {"exportedByVSphere": null}] {
		not vsphere_label in labels_for(record)
	}
}

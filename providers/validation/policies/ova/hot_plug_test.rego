package io.konveyor.forklift.ova_test

import data.io.konveyor.forklift.ova

hot_plug_label := "CPU or memory hot plug enabled"

test_hot_plug if {
	concerns := ova.concerns with input as {
		"cpuHotAddEnabled": true, "cpuHotRemoveEnabled": false,
		"memoryHotAddEnabled": true,
	}
	some concern in concerns
	concern.label == hot_plug_label
	concern.category == "Warning"
	contains(concern.assessment, "CPU hot add, memory hot add")
	not contains(concern.assessment, "remove")
}

test_each_hot_plug_setting_alone if {
	every field in ["cpuHotAddEnabled", "cpuHotRemoveEnabled", "memoryHotAddEnabled"] {
		some concern in ova.concerns with input as {field: true}
		concern.label == hot_plug_label
	}
}

test_no_hot_plug if {
	every record in [
		{"cpuHotAddEnabled": false, "cpuHotRemoveEnabled": false, "memoryHotAddEnabled": false},
		{}, {"cpuHotAddEnabled": null}, {"memoryHotAddEnabled": "true"},
	] {
		not hot_plug_label in labels_for(record)
	}
}

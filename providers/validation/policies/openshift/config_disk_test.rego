package io.konveyor.forklift.openshift_test

config_label := "Configuration disk"

test_config_disks if {
	concern := concern_for(
		{"disks": [
			{"name": "root", "volumeType": "dataVolume"},
			{"name": "seed", "volumeType": "cloudInitNoCloud"},
			{"name": "app-config", "volumeType": "configMap"},
		]},
		config_label,
	)
	concern.category == "Information"
	contains(concern.assessment, "disks: app-config (configMap), seed (cloudInitNoCloud).")
}

test_no_config_disks if {
	every record in [
		{"disks": [{"name": "root", "volumeType": "dataVolume"}]},
		{"disks": [{"name": "iso", "volumeType": "containerDisk"}]},
		{"disks": null}, {}, {"disks": [{}]},
	] {
		not config_label in labels_for(record)
	}
}

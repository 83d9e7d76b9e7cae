package io.konveyor.forklift.openshift_test

missing_label := "Disk volume missing"

test_missing_and_lost_claims if {
	concern := concern_for(
		{"disks": [
			{"name": "root", "volumeType": "persistentVolumeClaim", "phase": "Bound"},
			{"name": "data", "volumeType": "persistentVolumeClaim", "phase": "Missing"},
			{"name": "logs", "volumeType": "dataVolume", "phase": "Lost"},
		]},
		missing_label,
	)
	concern.category == "Critical"
	contains(concern.assessment, "fails: data (Missing), logs (Lost).")
	not contains(concern.assessment, "root")
}

test_claims_present if {
	every record in [
		{"disks": [{"name": "root", "volumeType": "dataVolume", "phase": "Bound"}]},
		{"disks": [{"name": "root", "volumeType": "persistentVolumeClaim", "phase": "Pending"}]},
		{"disks": [{"name": "iso", "volumeType": "containerDisk"}]},
		{"disks": [{"name": "root", "volumeType": "persistentVolumeClaim"}]},
		{"disks": null}, {},
	] {
		not missing_label in labels_for(record)
	}
}

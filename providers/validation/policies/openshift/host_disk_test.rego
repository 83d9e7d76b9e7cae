package io.konveyor.forklift.openshift_test

host_disk_label := "Disk on a host path"

test_host_disk if {
	concern := concern_for(
		{"disks": [
			{"name": "root", "volumeType": "persistentVolumeClaim"},
			{"name": "legacy", "volumeType": "hostDisk"},
		]},
		host_disk_label,
	)
	concern.category == "Critical"
	contains(concern.assessment, "copied): legacy.")
	not contains(concern.assessment, "root")
}

test_no_host_disk if {
	every record in [
		{"disks": [{"name": "root", "volumeType": "dataVolume"}, {"name": "iso", "volumeType": "containerDisk"}]},
		{"disks": []}, {"disks": null}, {}, {"disks": [{}]}, {"disks": ["hostDisk"]},
	] {
		not host_disk_label in labels_for(record)
	}
}

package io.konveyor.forklift.openshift_test

shared_label := "Shareable disk"

test_shareable_disk if {
	concern := concern_for(
		{"disks": [{"name": "root", "shared": false}, {"name": "quorum", "shared": true}]},
		shared_label,
	)
	concern.category == "Warning"
	contains(concern.assessment, "PVC: quorum.")
}

test_no_shareable_disk if {
	every record in [
		{"disks": [{"name": "root", "shared": false}]},
		{"disks": [{"name": "root"}]}, {"disks": [{"name": "root", "shared": "true"}]},
		{"disks": null}, {},
	] {
		not shared_label in labels_for(record)
	}
}

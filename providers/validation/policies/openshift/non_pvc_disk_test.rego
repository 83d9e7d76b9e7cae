package io.konveyor.forklift.openshift_test

non_pvc_label := "Disk not backed by a PVC"

test_container_and_empty_disks if {
	concern := concern_for(
		{"disks": [
			{"name": "root", "volumeType": "persistentVolumeClaim"},
			{"name": "iso", "volumeType": "containerDisk", "image": "quay.io/example/tools:latest"},
			{"name": "scratch", "volumeType": "emptyDisk"},
			{"name": "seed", "volumeType": "cloudInitNoCloud"},
			{"name": "legacy", "volumeType": "hostDisk"},
		]},
		non_pvc_label,
	)
	concern.category == "Warning"
	contains(concern.assessment, "not copied: iso (containerDisk), scratch (emptyDisk).")
	not contains(concern.assessment, "root")
	not contains(concern.assessment, "seed")
	not contains(concern.assessment, "legacy")
}

test_ephemeral_and_unknown_volume_types if {
	every volume_type in ["ephemeral", "someFutureVolume"] {
		non_pvc_label in labels_for({"disks": [{"name": "d", "volumeType": volume_type}]})
	}
}

test_pvc_disks_only if {
	every record in [
		{"disks": [{"name": "a", "volumeType": "persistentVolumeClaim"}, {"name": "b", "volumeType": "dataVolume"}]},
		{"disks": [{"name": "orphan", "volumeType": ""}]},
		{"disks": [{"name": "x"}]}, {"disks": [{"volumeType": null}]}, {"disks": null}, {}, {"disks": [3]},
	] {
		not non_pvc_label in labels_for(record)
	}
}

package io.konveyor.forklift.openshift

config_disks contains concat("", [concern_text(object.get(disk, "name", "?")), " (", concern_text(disk.volumeType), ")"]) if {
	some disk in input.disks
	is_object(disk)
	disk.volumeType in config_volume_types
}

concerns contains flag if {
	count(config_disks) > 0
	flag := {
		"category": "Information",
		"label": "Configuration disk",
		"assessment": concat("", [
			"These disks hand the guest configuration (cloud-init, sysprep, a ConfigMap, Secret or service account) rather than data, and are not copied as disks: ",
			concat(", ", sort(config_disks)),
			". ConfigMaps and Secrets they refer to must exist in the target namespace for the migrated VM to start.",
		]),
	}
}

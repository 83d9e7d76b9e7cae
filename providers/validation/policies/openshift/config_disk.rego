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
			"Disk ",
			concat(", ", sort(config_disks)),
			" hands the guest configuration (cloud-init, sysprep, a ConfigMap, Secret or service account) rather than data; it is not copied as a disk. ConfigMaps and Secrets it refers to must exist in the target namespace for the migrated VM to start.",
		]),
	}
}

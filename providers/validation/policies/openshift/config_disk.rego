package io.konveyor.forklift.openshift

# Text from the inventory is shown with double quotes, backslashes and control characters as
# "?": rego-cpp, the embedded engine, returns them unescaped.
config_disks contains text if {
	some disk in input.disks
	is_object(disk)
	disk.volumeType in {
		"cloudInitNoCloud", "cloudInitConfigDrive", "configMap", "secret",
		"serviceAccount", "sysprep", "downwardAPI", "downwardMetrics",
	}
	shown := regex.replace(object.get(disk, "name", "?"), `["\\[:cntrl:]]`, "?")
	detail := regex.replace(disk.volumeType, `["\\[:cntrl:]]`, "?")
	text := concat("", [shown, " (", detail, ")"])
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

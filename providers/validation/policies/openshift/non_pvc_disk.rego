package io.konveyor.forklift.openshift

# Text from the inventory is shown with double quotes, backslashes and control characters as
# "?": rego-cpp, the embedded engine, returns them unescaped.
#
# Volume sources other rules cover: PVCs and DataVolumes (copied), configuration volumes
# (config_disk.rego) and hostDisk (host_disk.rego). Each file stands alone: the OPA server
# compiles every module as it is loaded, before the ones that follow it.
copied_or_covered_volume_types := {
	"persistentVolumeClaim", "dataVolume", "hostDisk",
	"cloudInitNoCloud", "cloudInitConfigDrive", "configMap", "secret",
	"serviceAccount", "sysprep", "downwardAPI", "downwardMetrics",
}

uncopied_disks contains text if {
	some disk in input.disks
	is_object(disk)
	is_string(disk.volumeType)
	disk.volumeType != ""
	not disk.volumeType in copied_or_covered_volume_types
	shown := regex.replace(object.get(disk, "name", "?"), `["\\[:cntrl:]]`, "?")
	detail := regex.replace(disk.volumeType, `["\\[:cntrl:]]`, "?")
	text := concat("", [shown, " (", detail, ")"])
}

concerns contains flag if {
	count(uncopied_disks) > 0
	flag := {
		"category": "Warning",
		"label": "Disk not backed by a PVC",
		"assessment": concat("", [
			"These disks are not backed by a PVC or DataVolume, so their content is not copied: ",
			concat(", ", sort(uncopied_disks)),
			". A containerDisk comes from its image again (the target cluster must be able to pull it), an emptyDisk starts empty, and what the guest wrote to such disks is lost, as it is at every restart. Move data the guest needs to a PVC before migrating.",
		]),
	}
}

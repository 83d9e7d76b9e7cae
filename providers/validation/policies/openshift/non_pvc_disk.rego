package io.konveyor.forklift.openshift

# Volume sources whose content the migration copies, and those that only hand the guest
# configuration; hostDisk has a rule of its own.
claim_volume_types := {"persistentVolumeClaim", "dataVolume"}

config_volume_types := {
	"cloudInitNoCloud", "cloudInitConfigDrive", "configMap", "secret",
	"serviceAccount", "sysprep", "downwardAPI", "downwardMetrics",
}

other_rule_volume_types := (claim_volume_types | config_volume_types) | {"hostDisk"}

uncopied_disks contains concat("", [concern_text(object.get(disk, "name", "?")), " (", concern_text(disk.volumeType), ")"]) if {
	some disk in input.disks
	is_object(disk)
	is_string(disk.volumeType)
	disk.volumeType != ""
	not disk.volumeType in other_rule_volume_types
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

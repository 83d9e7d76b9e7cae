package io.konveyor.forklift.openshift

# disks: each disk device of the VM with the type of the volume behind it (volumeType is the
# KubeVirt volume source: persistentVolumeClaim, dataVolume, containerDisk, hostDisk...).
host_path_disks contains concern_text(object.get(disk, "name", "?")) if {
	some disk in input.disks
	is_object(disk)
	disk.volumeType == "hostDisk"
}

concerns contains flag if {
	count(host_path_disks) > 0
	flag := {
		"category": "Critical",
		"label": "Disk on a host path",
		"assessment": concat("", [
			"Disk ",
			concat(", ", sort(host_path_disks)),
			" is a hostDisk: an image file on the source node's file system, which the migration cannot read or copy (only PVC and DataVolume disks are copied). Move its data to a PVC (DataVolume) first, or remove the disk from the VM.",
		]),
	}
}

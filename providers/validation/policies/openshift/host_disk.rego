package io.konveyor.forklift.openshift

# Text from the inventory is shown with double quotes, backslashes and control characters as
# "?": rego-cpp, the embedded engine, returns them unescaped.
#
# disks: each disk device of the VM with the type of the volume behind it (volumeType is the
# KubeVirt volume source: persistentVolumeClaim, dataVolume, containerDisk, hostDisk...).
host_path_disks contains text if {
	some disk in input.disks
	is_object(disk)
	disk.volumeType == "hostDisk"
	text := regex.replace(object.get(disk, "name", "?"), `["\\[:cntrl:]]`, "?")
}

concerns contains flag if {
	count(host_path_disks) > 0
	flag := {
		"category": "Critical",
		"label": "Disk on a host path",
		"assessment": concat("", [
			"These disks are hostDisks, image files on the source node's file system, which the migration cannot read or copy (only PVC and DataVolume disks are copied): ",
			concat(", ", sort(host_path_disks)),
			". Move their data to a PVC (a DataVolume) first, or remove them from the VM.",
		]),
	}
}

package io.konveyor.forklift.openshift

shareable_disks contains concern_text(object.get(disk, "name", "?")) if {
	some disk in input.disks
	is_object(disk)
	disk.shared == true
}

concerns contains flag if {
	count(shareable_disks) > 0
	flag := {
		"category": "Warning",
		"label": "Shareable disk",
		"assessment": concat("", [
			"These disks are shareable, so other VMs may use the same PVC: ",
			concat(", ", sort(shareable_disks)),
			". The migration copies them as they are at that moment, and the other VMs keep using the source PVC. Stop every VM that writes to them before the migration, and attach the copy to the others yourself.",
		]),
	}
}

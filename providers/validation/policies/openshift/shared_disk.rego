package io.konveyor.forklift.openshift

# Text from the inventory is shown with double quotes, backslashes and control characters as
# "?": rego-cpp, the embedded engine, returns them unescaped.
shareable_disks contains text if {
	some disk in input.disks
	is_object(disk)
	disk.shared == true
	text := regex.replace(object.get(disk, "name", "?"), `["\\[:cntrl:]]`, "?")
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

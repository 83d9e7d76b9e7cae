package io.konveyor.forklift.openshift

# Text from the inventory is shown with double quotes, backslashes and control characters as
# "?": rego-cpp, the embedded engine, returns them unescaped.
#
# phase of a PVC or DataVolume disk: the claim's phase, else the DataVolume's; "Missing" when
# neither exists.
unavailable_claim_disks contains text if {
	some disk in input.disks
	is_object(disk)
	disk.volumeType in {"persistentVolumeClaim", "dataVolume"}
	disk.phase in {"Missing", "Lost"}
	shown := regex.replace(object.get(disk, "name", "?"), `["\\[:cntrl:]]`, "?")
	detail := regex.replace(disk.phase, `["\\[:cntrl:]]`, "?")
	text := concat("", [shown, " (", detail, ")"])
}

concerns contains flag if {
	count(unavailable_claim_disks) > 0
	flag := {
		"category": "Critical",
		"label": "Disk volume missing",
		"assessment": concat("", [
			"The PVC behind these disks does not exist or has lost its volume, so there is nothing to copy and the migration of this VM fails: ",
			concat(", ", sort(unavailable_claim_disks)),
			". Restore the PVC (or DataVolume) or remove the disk from the VM.",
		]),
	}
}

package io.konveyor.forklift.openshift

# phase of a PVC or DataVolume disk: the claim's phase, else the DataVolume's; "Missing" when
# neither exists.
unavailable_claim_disks contains concat("", [concern_text(object.get(disk, "name", "?")), " (", concern_text(disk.phase), ")"]) if {
	some disk in input.disks
	is_object(disk)
	disk.volumeType in claim_volume_types
	disk.phase in {"Missing", "Lost"}
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

package io.konveyor.forklift.openshift

# phase of a PVC or DataVolume disk: the claim's phase, else the DataVolume's; "Missing" when
# neither exists.
unavailable_claim_disks contains sprintf("%s (%s)", [object.get(disk, "name", "?"), disk.phase]) if {
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
		"assessment": sprintf(
			"The PVC behind disk %s does not exist or has lost its volume, so there is nothing to copy and the migration of this VM fails. Restore the PVC (or DataVolume) or remove the disk from the VM.",
			[concat(", ", sort(unavailable_claim_disks))],
		),
	}
}

package io.konveyor.forklift.vmware

# A disk in independent mode (persistent or nonpersistent) is left out of snapshots. RDM disks are
# left to rdm_disk.rego: a physical-mode RDM is always independent and has no dependent mode.
independent_disks contains disk if {
	some disk in input.disks
	is_string(disk.mode)
	startswith(disk.mode, "independent")
	not disk.rdm == true
}

concerns contains flag if {
	count(independent_disks) > 0
	flag := {
		"category": "Critical",
		"label": "Independent disk",
		"assessment": "A disk of this VM is in independent mode. Independent disks are left out of snapshots, so a warm migration cannot copy them, and recent VDDK versions cannot transfer them at all. Change the disk mode to dependent (the VM must be powered off) before migrating.",
	}
}

package io.konveyor.forklift.ova_test

import data.io.konveyor.forklift.ova

no_disks_label := "VM has no disks"

test_vm_without_disks if {
	concerns := ova.concerns with input as {"name": "pxe", "disks": []}
	some concern in concerns
	concern.label == no_disks_label
	concern.category == "Critical"
}

test_vm_with_a_disk if {
	concerns := ova.concerns with input as {"disks": [{"name": "a.vmdk", "format": "streamOptimized"}]}
	every concern in concerns {
		concern.label != no_disks_label
	}
}

test_no_disks_quiet_when_the_field_is_missing if {
	every record in [{}, {"disks": null}, {"disks": "none"}] {
		not no_disks_label in labels_for(record)
	}
}

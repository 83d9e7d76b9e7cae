package io.konveyor.forklift.ova_test

import data.io.konveyor.forklift.ova

disk_format_label := "Unsupported disk format"

test_raw_disk_is_unsupported if {
	concerns := ova.concerns with input as {"disks": [
		{"name": "a-disk1.vmdk", "format": "streamOptimized"},
		{"name": "a-disk2.img", "format": "raw"},
	]}
	some concern in concerns
	concern.label == disk_format_label
	concern.category == "Critical"
	contains(concern.assessment, "imported: a-disk2.img (raw).")
	not contains(concern.assessment, "a-disk1.vmdk")
}

test_descriptor_vmdk_is_unsupported if {
	concerns := ova.concerns with input as {"disks": [{"name": "b.vmdk", "format": "monolithicFlat"}]}
	some concern in concerns
	concern.label == disk_format_label
}

test_single_file_vmdks_are_supported if {
	concerns := ova.concerns with input as {"disks": [
		{"name": "a.vmdk", "format": "streamOptimized"},
		{"name": "b.vmdk", "format": "monolithicSparse"},
		{"name": "c.vmdk", "format": "vmdkSparse"},
	]}
	every concern in concerns {
		concern.label != disk_format_label
	}
}

test_disk_format_quiet_on_missing_fields if {
	inputs := [
		{},
		{"disks": null},
		{"disks": []},
		{"disks": [{}]},
		{"disks": [{"name": "x", "format": null}]},
		{"disks": [{"name": "x", "format": ""}]},
		{"disks": ["not an object"]},
	]
	every record in inputs {
		not disk_format_label in labels_for(record)
	}
}

test_disk_names_shown_without_quotes if {
	some concern in ova.concerns with input as {"disks": [{"name": "my \"disk\".img", "format": "raw"}]}
	concern.label == disk_format_label
	contains(concern.assessment, "my ?disk?.img (raw)")
}

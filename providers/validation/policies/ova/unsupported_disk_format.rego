package io.konveyor.forklift.ova

# Text from the inventory is shown with double quotes, backslashes and control characters as
# "?": rego-cpp, the embedded engine, returns them unescaped.
#
# The scanner reads each disk's format from the image's own header. These VMDK variants keep
# all of a disk's data in the one file the OVF references (vSphere exports streamOptimized);
# "raw" means the header was not recognised (also a compressed file), and a VMDK descriptor
# (monolithicFlat, twoGbMaxExtentSparse...) keeps the data in extent files the OVF does not name.
supported_disk_formats := {"streamOptimized", "monolithicSparse", "vmdkSparse"}

unsupported_format_disks contains text if {
	some disk in input.disks
	is_object(disk)
	is_string(disk.format)
	disk.format != ""
	not disk.format in supported_disk_formats
	shown := regex.replace(object.get(disk, "name", "?"), `["\\[:cntrl:]]`, "?")
	detail := regex.replace(disk.format, `["\\[:cntrl:]]`, "?")
	text := concat("", [shown, " (", detail, ")"])
}

concerns contains flag if {
	count(unsupported_format_disks) > 0
	flag := {
		"category": "Critical",
		"label": "Unsupported disk format",
		"assessment": concat("", [
			"These disks are not VMDK images that hold all of their data in the file the OVF references, so they cannot be imported: ",
			concat(", ", sort(unsupported_format_disks)),
			". Export the VM again from vSphere, or convert the disks with `qemu-img convert -O vmdk -o subformat=streamOptimized` and update the OVF.",
		]),
	}
}

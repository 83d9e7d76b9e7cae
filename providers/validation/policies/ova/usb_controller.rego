package io.konveyor.forklift.ova

# devices: the virtual hardware items that are not CPU, memory, disks, NICs or controllers,
# each {"kind": its element name}, e.g. "USB controller", "Video card".
has_usb_controller if {
	some device in input.devices
	is_object(device)
	contains(lower(object.get(device, "kind", "")), "usb")
}

concerns contains flag if {
	has_usb_controller
	flag := {
		"category": "Warning",
		"label": "USB controller present",
		"assessment": "The VM has a USB controller. It is not carried over, nor are USB devices connected through it in vSphere (licence dongles, security tokens): the migrated guest will not find them.",
	}
}

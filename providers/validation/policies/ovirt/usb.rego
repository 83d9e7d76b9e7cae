package io.konveyor.forklift.ovirt

# Reads usbEnabled.
has_usb if input.usbEnabled == true

concerns contains flag if {
	has_usb
	flag := {
		"category": "Warning",
		"label": "USB enabled",
		"assessment": "USB support is enabled for this VM (USB redirection or host USB devices). USB devices used in oVirt are not migrated and are not available to the migrated VM.",
	}
}

package io.konveyor.forklift.vmware

# A USB controller among the VM's devices (USB 2 or xHCI).
usb_controllers contains device if {
	some device in input.devices
	device.kind in {"VirtualUSBController", "VirtualUSBXHCIController"}
}

concerns contains flag if {
	count(usb_controllers) > 0
	flag := {
		"category": "Warning",
		"label": "USB controller",
		"assessment": "The VM has a USB controller. USB devices attached through it, from the ESXi host or a client, are not migrated. Attach the device to the target VM again (a KubeVirt host USB device) if the workload needs it.",
	}
}

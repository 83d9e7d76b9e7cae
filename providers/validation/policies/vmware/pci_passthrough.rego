package io.konveyor.forklift.vmware

# A PCI device of the ESXi host handed to the VM (DirectPath I/O, vGPU): one of input.devices.
pci_passthrough_devices contains device if {
	some device in input.devices
	device.kind == "VirtualPCIPassthrough"
}

concerns contains flag if {
	count(pci_passthrough_devices) > 0
	flag := {
		"category": "Critical",
		"label": "PCI passthrough device",
		"assessment": "The VM uses a PCI device of its ESXi host (DirectPath I/O or vGPU). The device belongs to the host and cannot be migrated. Remove it from the VM before migrating; on the target, assign a host device or GPU that the OpenShift Virtualization nodes provide.",
	}
}

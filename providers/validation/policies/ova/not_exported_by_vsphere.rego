package io.konveyor.forklift.ova

# The scanner sets exportedByVSphere when the descriptor uses VMware's OVF extensions.
not_from_vsphere if input.exportedByVSphere == false

concerns contains flag if {
	not_from_vsphere
	flag := {
		"category": "Warning",
		"label": "OVF not exported from vSphere",
		"assessment": "The descriptor carries no VMware extensions, so another tool made it (VirtualBox, another hypervisor, a hand-edited file). Only OVAs exported from vSphere are supported: the VM may migrate, but settings that tool describes its own way (firmware, controllers, NIC models) can be lost or read wrongly. Export it from vSphere if you can, and check the migrated VM.",
	}
}

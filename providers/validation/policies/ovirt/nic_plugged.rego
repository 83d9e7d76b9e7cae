package io.konveyor.forklift.ovirt

# Reads nics[].plugged.
has_unplugged_nic if {
	some nic in input.nics
	nic.plugged == false
}

concerns contains flag if {
	has_unplugged_nic
	flag := {
		"category": "Warning",
		"label": "Unplugged NIC",
		"assessment": "A NIC is unplugged in oVirt. OpenShift Virtualization has no unplugged state for a NIC: after migration it is connected and the guest sees it. Remove it from the VM before migrating if it must stay disconnected.",
	}
}

package io.konveyor.forklift.ovirt

# Reads nics[].profile.portMirroring.
has_port_mirroring if {
	some nic in input.nics
	nic.profile.portMirroring == true
}

concerns contains flag if {
	has_port_mirroring
	flag := {
		"category": "Warning",
		"label": "Port mirroring",
		"assessment": "A NIC's vNIC profile mirrors the network's traffic to this VM. Port mirroring is not available in OpenShift Virtualization: after migration the NIC only receives its own traffic.",
	}
}

package io.konveyor.forklift.ovirt

# Reads nics[].interface and nics[].profile.passThrough.
has_passthrough_nic if {
	some nic in input.nics
	nic.interface == "pci_passthrough"
}

has_passthrough_nic if {
	some nic in input.nics
	nic.profile.passThrough == true
}

concerns contains flag if {
	has_passthrough_nic
	flag := {
		"category": "Warning",
		"label": "NIC with PCI passthrough",
		"assessment": "A NIC is a passed-through host network device (an SR-IOV virtual function). Map its network to an SR-IOV network on the target; the target nodes need SR-IOV capable NICs.",
	}
}

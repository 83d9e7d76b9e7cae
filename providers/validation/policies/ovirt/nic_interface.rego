package io.konveyor.forklift.ovirt

# KubeVirt NIC models include virtio, e1000, e1000e and rtl8139; PCI passthrough has a rule of
# its own. Reads nics[].interface.
has_unsupported_nic_interface if {
	some nic in input.nics
	is_string(nic.interface)
	not nic.interface in {"", "virtio", "e1000", "e1000e", "rtl8139", "pci_passthrough"}
}

concerns contains flag if {
	has_unsupported_nic_interface
	flag := {
		"category": "Warning",
		"label": "NIC interface not supported",
		"assessment": "A NIC uses an interface model that OpenShift Virtualization does not offer (such as rtl8139_virtio or spapr_vlan). The NIC gets another model after migration, and the guest needs a driver for it.",
	}
}

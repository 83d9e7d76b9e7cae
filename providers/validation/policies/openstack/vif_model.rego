package io.konveyor.forklift.openstack

# KubeVirt NIC models: virtio, e1000, e1000e, rtl8139, ne2k_pci, pcnet.
# Reads nics[].model (hw_vif_model).
has_unsupported_vif_model if {
	some nic in input.nics
	is_string(nic.model)
	not nic.model in {"", "virtio", "e1000", "e1000e", "rtl8139", "ne2k_pci", "pcnet"}
}

concerns contains flag if {
	has_unsupported_vif_model
	flag := {
		"category": "Warning",
		"label": "VIF model not supported",
		"assessment": "A port uses a VIF model (hw_vif_model) that OpenShift Virtualization does not offer, such as vmxnet3. The NIC gets another model after migration, and the guest needs a driver for it.",
	}
}

package io.konveyor.forklift.openstack

# PCI passthrough aliases and virtual GPUs requested by the flavor.
# Reads flavor.extraSpecs["pci_passthrough:alias"] and ["resources:VGPU"].
requests_host_devices if {
	some key in {"pci_passthrough:alias", "resources:VGPU"}
	value := input.flavor.extraSpecs[key]
	is_string(value)
	value != ""
}

concerns contains flag if {
	requests_host_devices
	flag := {
		"category": "Warning",
		"label": "Host devices requested",
		"assessment": "The flavor requests PCI passthrough devices or virtual GPUs. They are not migrated: after migration, give the VM matching host devices or GPUs that the target cluster permits, on nodes that have them.",
	}
}

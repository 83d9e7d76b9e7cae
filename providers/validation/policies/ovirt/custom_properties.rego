package io.konveyor.forklift.ovirt

# Reads properties (the VM's custom properties).
has_custom_properties if {
	is_array(input.properties)
	count(input.properties) > 0
}

concerns contains flag if {
	has_custom_properties
	flag := {
		"category": "Warning",
		"label": "VM custom properties",
		"assessment": "The VM has custom properties, which VDSM hooks on the oVirt hosts act on. They are not migrated, and whatever the hooks changed in the VM's devices or settings is missing after migration.",
	}
}

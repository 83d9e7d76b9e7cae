package io.konveyor.forklift.ovirt

# Reads nics[].profile.properties.
has_nic_custom_properties if {
	some nic in input.nics
	is_array(nic.profile.properties)
	count(nic.profile.properties) > 0
}

concerns contains flag if {
	has_nic_custom_properties
	flag := {
		"category": "Warning",
		"label": "vNIC profile custom properties",
		"assessment": "A NIC's vNIC profile has custom properties, which VDSM hooks act on (for example to allow MAC spoofing). They are not migrated; configure the equivalent on the target network if the VM depends on it.",
	}
}

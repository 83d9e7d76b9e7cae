package io.konveyor.forklift.openstack

# The guest OS comes from the image properties os_type and os_distro; without either it is
# unknown (also when the record lacks both fields). Reads osType and osDistro.
os_named if {
	is_string(input.osType)
	input.osType != ""
}

os_named if {
	is_string(input.osDistro)
	input.osDistro != ""
}

os_unknown if not os_named

concerns contains flag if {
	os_unknown
	flag := {
		"category": "Warning",
		"label": "Guest OS unknown",
		"assessment": "The image properties do not name the guest operating system (os_type, os_distro). Without them the migrated VM gets generic settings that may not suit the guest: set the properties on the image or volume before migrating, or check the VM's settings afterwards.",
	}
}

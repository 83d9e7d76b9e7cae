package io.konveyor.forklift.openstack

# A VM name in OpenShift Virtualization: lower-case letters, digits and '-', starting and
# ending with a letter or digit, at most 253 characters. Reads name.
name_not_valid if {
	is_string(input.name)
	not regex.match(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`, input.name)
}

name_not_valid if {
	is_string(input.name)
	count(input.name) > 253
}

concerns contains flag if {
	name_not_valid
	flag := {
		"category": "Warning",
		"label": "VM name not valid in Kubernetes",
		"assessment": "The name has capital letters or characters other than a-z, 0-9 and '-', does not start and end with a letter or digit, or is longer than 253 characters. The migrated VM is renamed (lower case, '_' becomes '-', other characters dropped) unless you choose a target name in the plan.",
	}
}

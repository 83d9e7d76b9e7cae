package io.konveyor.forklift.vmware

# The VM's name is not a valid Kubernetes VirtualMachine name (the guide, section 2.4; plans/naming.py).
has_invalid_name if {
	is_string(input.name)
	not regex.match(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`, input.name)
}

has_invalid_name if {
	is_string(input.name)
	count(input.name) > 253
}

concerns contains flag if {
	has_invalid_name
	flag := {
		"category": "Warning",
		"label": "VM name not valid in Kubernetes",
		"assessment": "A VirtualMachine name in OpenShift Virtualization has only lower-case letters, digits and hyphens, starts and ends with a letter or digit, and has at most 253 characters. This VM will be renamed on the target (capitals lowered, underscores turned into hyphens, other characters dropped) unless the plan gives it a target name.",
	}
}

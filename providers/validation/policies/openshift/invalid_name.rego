package io.konveyor.forklift.openshift

# Text from the inventory is shown with double quotes, backslashes and control characters as
# "?": rego-cpp, the embedded engine, returns them unescaped.
#
# The target's VirtualMachine name: lower-case letters, digits and '-', starting and ending
# with a letter or digit, at most 253 characters (the test the plan's renaming uses). A
# KubeVirt name may also hold dots, which this excludes.
valid_vm_name(name) if {
	count(name) <= 253
	regex.match(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`, name)
}

has_invalid_name if {
	is_string(input.name)
	not valid_vm_name(input.name)
}

concerns contains flag if {
	has_invalid_name
	flag := {
		"category": "Warning",
		"label": "Invalid VM name",
		"assessment": concat("", [
			"The name '",
			regex.replace(input.name, `["\\[:cntrl:]]`, "?"),
			"' is not valid for the migrated VM (lower-case letters, digits and '-' only, at most 253 characters, starting and ending with a letter or digit). The migrated VM is renamed: capitals become lower case, '_' becomes '-' and other characters, such as '.', are dropped. You can choose the name yourself in the plan.",
		]),
	}
}

package io.konveyor.forklift.openshift

# Text from the inventory is shown with double quotes, backslashes and control characters as
# "?": rego-cpp, the embedded engine, returns them unescaped.
#
# hostDevices: the VM's host devices and GPUs, each {kind: hostDevice|gpu, name, deviceName}.
attached_host_devices contains text if {
	some device in input.hostDevices
	is_object(device)
	shown := regex.replace(object.get(device, "name", "?"), `["\\[:cntrl:]]`, "?")
	detail := regex.replace(object.get(device, "deviceName", "?"), `["\\[:cntrl:]]`, "?")
	text := concat("", [shown, " (", detail, ")"])
}

concerns contains flag if {
	count(attached_host_devices) > 0
	flag := {
		"category": "Warning",
		"label": "Host devices attached",
		"assessment": concat("", [
			"The VM uses these host devices or GPUs: ",
			concat(", ", sort(attached_host_devices)),
			". The migrated VM asks for the same device names: the target cluster must permit them (permittedHostDevices in the HyperConverged resource) and have nodes that offer them, or the VM cannot start there.",
		]),
	}
}

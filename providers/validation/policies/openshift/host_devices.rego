package io.konveyor.forklift.openshift

# hostDevices: the VM's host devices and GPUs, each {kind: hostDevice|gpu, name, deviceName}.
attached_host_devices contains concat("", [
	concern_text(object.get(device, "name", "?")),
	" (",
	concern_text(object.get(device, "deviceName", "?")),
	")",
]) if {
	some device in input.hostDevices
	is_object(device)
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

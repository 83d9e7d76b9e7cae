package io.konveyor.forklift.ova

# Text from the inventory is shown with double quotes, backslashes and control characters as
# "?": rego-cpp, the embedded engine, returns them unescaped.
unconnected_nics contains text if {
	some nic in input.nics
	is_object(nic)
	object.get(nic, "network", "") in {"", null}
	text := regex.replace(object.get(nic, "name", "?"), `["\\[:cntrl:]]`, "?")
}

concerns contains flag if {
	count(unconnected_nics) > 0
	flag := {
		"category": "Critical",
		"label": "NIC not connected to a network",
		"assessment": concat("", [
			"The OVF connects these NICs to no network: ",
			concat(", ", sort(unconnected_nics)),
			". The network map cannot place them, so a plan with this VM cannot become ready. Connect each NIC to a network in vSphere and export the VM again, or remove it.",
		]),
	}
}

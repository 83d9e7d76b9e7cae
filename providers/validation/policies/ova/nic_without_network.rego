package io.konveyor.forklift.ova

unconnected_nics contains concern_text(object.get(nic, "name", "?")) if {
	some nic in input.nics
	is_object(nic)
	object.get(nic, "network", "") in {"", null}
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

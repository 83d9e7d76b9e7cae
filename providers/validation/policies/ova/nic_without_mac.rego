package io.konveyor.forklift.ova

nics_without_mac contains concern_text(object.get(nic, "name", "?")) if {
	some nic in input.nics
	is_object(nic)
	object.get(nic, "mac", null) in {"", null}
}

concerns contains flag if {
	count(nics_without_mac) > 0
	flag := {
		"category": "Information",
		"label": "NIC without a MAC address",
		"assessment": concat("", [
			"The OVF gives no MAC address for ",
			concat(", ", sort(nics_without_mac)),
			" (vSphere leaves MAC addresses out unless asked to export them). The migrated VM gets new ones, so guest settings tied to the old addresses (a static IP configuration bound to a MAC, udev rules, licences) may need updating.",
		]),
	}
}

package io.konveyor.forklift.ova

# Text from the inventory is shown with double quotes, backslashes and control characters as
# "?": rego-cpp, the embedded engine, returns them unescaped.
nics_without_mac contains text if {
	some nic in input.nics
	is_object(nic)
	object.get(nic, "mac", null) in {"", null}
	text := regex.replace(object.get(nic, "name", "?"), `["\\[:cntrl:]]`, "?")
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

package io.konveyor.forklift.ovirt

# Reads nics[].profile.networkFilter (the filter's id; empty for "No Network Filter").
has_nic_network_filter if {
	some nic in input.nics
	is_string(nic.profile.networkFilter)
	nic.profile.networkFilter != ""
}

concerns contains flag if {
	has_nic_network_filter
	flag := {
		"category": "Warning",
		"label": "vNIC network filter",
		"assessment": "A NIC's vNIC profile applies a network filter (by default vdsm-no-mac-spoofing). Network filters are not migrated: the migrated NIC is not protected against MAC or IP spoofing unless the target network does it.",
	}
}

package io.konveyor.forklift.ovirt

# Reads nics[].profile.qos (the network QoS id; empty for none).
has_nic_qos if {
	some nic in input.nics
	is_string(nic.profile.qos)
	nic.profile.qos != ""
}

concerns contains flag if {
	has_nic_qos
	flag := {
		"category": "Warning",
		"label": "vNIC QoS",
		"assessment": "A NIC's vNIC profile limits its bandwidth with a network QoS. The limits are not migrated: the migrated NIC is not rate-limited unless the target network enforces it.",
	}
}

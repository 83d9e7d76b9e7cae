package io.konveyor.forklift.openstack

# Ports bound other than normal (direct, direct-physical, macvtap… for SR-IOV and similar).
# Reads nics[].vnicType (binding:vnic_type).
has_direct_port if {
	some nic in input.nics
	is_string(nic.vnicType)
	not nic.vnicType in {"", "normal"}
}

concerns contains flag if {
	has_direct_port
	flag := {
		"category": "Warning",
		"label": "SR-IOV or direct port",
		"assessment": "A port is bound as direct, direct-physical or macvtap (SR-IOV and similar) rather than normal. Map its network to an SR-IOV network on the target; the target nodes need SR-IOV capable NICs.",
	}
}

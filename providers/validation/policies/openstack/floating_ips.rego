package io.konveyor.forklift.openstack

# Reads floatingIPs.
has_floating_ip if {
	is_array(input.floatingIPs)
	count(input.floatingIPs) > 0
}

concerns contains flag if {
	has_floating_ip
	flag := {
		"category": "Warning",
		"label": "Floating IP",
		"assessment": "The server has floating IPs. They belong to Neutron and are not carried over: after migration the VM is reached at the addresses of its target network, so update DNS records and clients that use the floating IP.",
	}
}

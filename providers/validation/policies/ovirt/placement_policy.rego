package io.konveyor.forklift.ovirt

# migratable is oVirt's default; pinned and user_migratable tie the VM to hosts.
# Reads placementPolicyAffinity.
has_host_placement if {
	is_string(input.placementPolicyAffinity)
	not input.placementPolicyAffinity in {"", "migratable"}
}

concerns contains flag if {
	has_host_placement
	flag := {
		"category": "Warning",
		"label": "VM pinned to hosts",
		"assessment": "The VM is pinned to hosts or may only be migrated manually in oVirt. Host placement is not migrated: OpenShift Virtualization schedules the VM on any suitable node and may live migrate it. Add node affinity to the migrated VM to keep it on particular nodes.",
	}
}

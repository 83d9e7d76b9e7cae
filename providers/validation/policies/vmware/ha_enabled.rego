package io.konveyor.forklift.vmware

# vSphere HA on the VM's cluster (the workload's host, expanded with its cluster).
has_ha_enabled if input.host.cluster.haEnabled == true

concerns contains flag if {
	has_ha_enabled
	flag := {
		"category": "Warning",
		"label": "VM running in an HA-enabled cluster",
		"assessment": "vSphere HA restarts this VM on another host when its host fails. After migration, restarts depend on the VirtualMachine's run strategy and on how the OpenShift cluster handles failed nodes: check both on the target.",
	}
}

package io.konveyor.forklift.vmware

# Distributed Power Management on the VM's cluster.
has_dpm_enabled if input.host.cluster.dpmEnabled == true

concerns contains flag if {
	has_dpm_enabled
	flag := {
		"category": "Information",
		"label": "VM running in a DPM-enabled cluster",
		"assessment": "Distributed Power Management powers ESXi hosts off when the cluster needs less capacity. OpenShift Virtualization has no equivalent: the VM migrates, and the target cluster's nodes stay powered on.",
	}
}

package io.konveyor.forklift.vmware

# DRS on the VM's cluster (the guide's example rule, section 6.2.1, in Rego v1).
has_drs_enabled if input.host.cluster.drsEnabled == true

concerns contains flag if {
	has_drs_enabled
	flag := {
		"category": "Information",
		"label": "VM running in a DRS-enabled cluster",
		"assessment": "Distributed resource scheduling is not available in OpenShift Virtualization. The VM migrates, but the cluster will not balance it the way DRS did.",
	}
}

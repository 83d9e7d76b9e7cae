package io.konveyor.forklift.ovirt

# Reads cluster.ksmEnabled (the VM's cluster, expanded in the workload).
cluster_has_ksm if input.cluster.ksmEnabled == true

concerns contains flag if {
	cluster_has_ksm
	flag := {
		"category": "Warning",
		"label": "Cluster uses KSM",
		"assessment": "Kernel same-page merging is enabled in the VM's oVirt cluster, so identical memory pages of its VMs are shared. Whether pages are merged after migration depends on the target nodes; the VM may use more host memory there.",
	}
}

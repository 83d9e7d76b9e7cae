package io.konveyor.forklift.ovirt

# Reads cluster.haReservation (the VM's cluster, expanded in the workload).
cluster_has_ha_reservation if input.cluster.haReservation == true

concerns contains flag if {
	cluster_has_ha_reservation
	flag := {
		"category": "Warning",
		"label": "Cluster has HA reservation",
		"assessment": "The VM's oVirt cluster reserves capacity to restart highly available VMs after a host failure. OpenShift Virtualization has no such reservation: keep enough spare capacity on the target cluster yourself.",
	}
}

package io.konveyor.forklift.vmware

# An SR-IOV passthrough network adapter (input.nics[_].model is sriov for VirtualSriovEthernetCard).
sriov_nics contains nic if {
	some nic in input.nics
	nic.model == "sriov"
}

concerns contains flag if {
	count(sriov_nics) > 0
	flag := {
		"category": "Critical",
		"label": "SR-IOV network adapter",
		"assessment": "A network adapter of this VM is an SR-IOV passthrough adapter, tied to a physical NIC of its ESXi host. It cannot be migrated as is. Change the adapter type (to VMXNET3, for example) before migrating; on the target, map its network to an SR-IOV network attachment if the workload needs one.",
	}
}

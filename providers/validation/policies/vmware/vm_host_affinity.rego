package io.konveyor.forklift.vmware

# An enabled VM-host rule of the cluster whose VM group holds this VM (by its id, the moref).
vm_host_rules contains rule if {
	some rule in input.host.cluster.vmHostRules
	rule.enabled == true
	some vm in rule.vms
	vm == input.id
}

concerns contains flag if {
	count(vm_host_rules) > 0
	flag := {
		"category": "Warning",
		"label": "VM-host affinity rule",
		"assessment": "A cluster rule keeps this VM on, or away from, a group of ESXi hosts. Such rules are not migrated: express the placement on the target with node affinity or a node selector on the VirtualMachine.",
	}
}

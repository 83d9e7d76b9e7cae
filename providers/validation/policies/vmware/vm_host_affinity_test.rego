package io.konveyor.forklift.vmware_test

import data.io.konveyor.forklift.vmware

vm_host_affinity_label := "VM-host affinity rule"

vm_host_affinity_fires(vm) if {
	some concern in vmware.concerns with input as vm
	concern.label == vm_host_affinity_label
}

test_vm_host_affinity_is_warning if {
	concerns := vmware.concerns with input as {"id": "vm-7", "host": {"cluster": {"vmHostRules": [{"name": "a", "enabled": true, "vms": ["vm-7"]}]}}}
	some concern in concerns
	concern.label == vm_host_affinity_label
	concern.category == "Warning"
}

test_vm_host_affinity_quiet_1 if not vm_host_affinity_fires({"id": "vm-7", "host": {"cluster": {"vmHostRules": [{"name": "a", "enabled": true, "vms": ["vm-8"]}]}}})

test_vm_host_affinity_quiet_2 if not vm_host_affinity_fires({"id": "vm-7", "host": {"cluster": {"vmHostRules": [{"name": "a", "enabled": false, "vms": ["vm-7"]}]}}})

test_vm_host_affinity_quiet_3 if not vm_host_affinity_fires({"id": "vm-7", "host": {"cluster": {"vmHostRules": []}}})

test_vm_host_affinity_quiet_4 if not vm_host_affinity_fires({})

test_vm_host_affinity_quiet_5 if not vm_host_affinity_fires({"id": "vm-7"})

test_vm_host_affinity_quiet_6 if not vm_host_affinity_fires({"host": {"cluster": {"vmHostRules": [{"enabled": true, "vms": ["vm-7"]}]}}})

test_vm_host_affinity_quiet_7 if not vm_host_affinity_fires({"id": "vm-7", "host": "host-21"})

test_vm_host_affinity_quiet_8 if not vm_host_affinity_fires({"id": "vm-7", "host": {"cluster": {"vmHostRules": null}}})

test_vm_host_affinity_quiet_9 if not vm_host_affinity_fires({"id": "vm-7", "host": {"cluster": {"vmHostRules": [null, {"enabled": true}, {"enabled": true, "vms": null}]}}})

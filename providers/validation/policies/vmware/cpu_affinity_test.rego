package io.konveyor.forklift.vmware_test

import data.io.konveyor.forklift.vmware

cpu_affinity_label := "CPU affinity"

cpu_affinity_fires(vm) if {
	some concern in vmware.concerns with input as vm
	concern.label == cpu_affinity_label
}

test_cpu_affinity_is_warning if {
	concerns := vmware.concerns with input as {"cpuAffinity": [2, 3]}
	some concern in concerns
	concern.label == cpu_affinity_label
	concern.category == "Warning"
}

test_cpu_affinity_quiet_1 if not cpu_affinity_fires({"cpuAffinity": []})

test_cpu_affinity_quiet_2 if not cpu_affinity_fires({})

test_cpu_affinity_quiet_3 if not cpu_affinity_fires({"cpuAffinity": null})

test_cpu_affinity_quiet_4 if not cpu_affinity_fires({"cpuAffinity": "2,3"})

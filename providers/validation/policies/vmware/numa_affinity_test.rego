package io.konveyor.forklift.vmware_test

import data.io.konveyor.forklift.vmware

numa_affinity_label := "NUMA node affinity"

numa_affinity_fires(vm) if {
	some concern in vmware.concerns with input as vm
	concern.label == numa_affinity_label
}

test_numa_affinity_is_warning if {
	concerns := vmware.concerns with input as {"numaNodeAffinity": ["0", "1"]}
	some concern in concerns
	concern.label == numa_affinity_label
	concern.category == "Warning"
}

test_numa_affinity_quiet_1 if not numa_affinity_fires({"numaNodeAffinity": []})

test_numa_affinity_quiet_2 if not numa_affinity_fires({})

test_numa_affinity_quiet_3 if not numa_affinity_fires({"numaNodeAffinity": null})

test_numa_affinity_quiet_4 if not numa_affinity_fires({"numaNodeAffinity": "0,1"})

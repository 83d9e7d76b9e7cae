package io.konveyor.forklift.vmware_test

import data.io.konveyor.forklift.vmware

label := "VM running in a DRS-enabled cluster"

test_drs_enabled_cluster if {
	concerns := vmware.concerns with input as {"host": {"cluster": {"drsEnabled": true}}}
	some concern in concerns
	concern.label == label
	concern.category == "Information"
}

test_drs_disabled_cluster if {
	concerns := vmware.concerns with input as {"host": {"cluster": {"drsEnabled": false}}}
	every concern in concerns {
		concern.label != label
	}
}

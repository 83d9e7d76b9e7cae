package io.konveyor.forklift.vmware_test

import data.io.konveyor.forklift.vmware

drs_enabled_label := "VM running in a DRS-enabled cluster"

drs_enabled_fires(vm) if {
	some concern in vmware.concerns with input as vm
	concern.label == drs_enabled_label
}

test_drs_enabled_is_information if {
	concerns := vmware.concerns with input as {"host": {"cluster": {"drsEnabled": true}}}
	some concern in concerns
	concern.label == drs_enabled_label
	concern.category == "Information"
}

test_drs_enabled_quiet_1 if not drs_enabled_fires({"host": {"cluster": {"drsEnabled": false}}})

test_drs_enabled_quiet_2 if not drs_enabled_fires({})

test_drs_enabled_quiet_3 if not drs_enabled_fires({"host": "host-21"})

test_drs_enabled_quiet_4 if not drs_enabled_fires({"host": {"cluster": null}})

test_drs_enabled_quiet_5 if not drs_enabled_fires({"host": {"cluster": {"drsEnabled": null}}})

test_drs_enabled_quiet_6 if not drs_enabled_fires({"host": {"cluster": {"drsEnabled": "true"}}})

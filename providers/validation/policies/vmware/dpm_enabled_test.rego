package io.konveyor.forklift.vmware_test

import data.io.konveyor.forklift.vmware

dpm_enabled_label := "VM running in a DPM-enabled cluster"

dpm_enabled_fires(vm) if {
	some concern in vmware.concerns with input as vm
	concern.label == dpm_enabled_label
}

test_dpm_enabled_is_information if {
	concerns := vmware.concerns with input as {"host": {"cluster": {"dpmEnabled": true}}}
	some concern in concerns
	concern.label == dpm_enabled_label
	concern.category == "Information"
}

test_dpm_enabled_quiet_1 if not dpm_enabled_fires({"host": {"cluster": {"dpmEnabled": false, "drsEnabled": true}}})

test_dpm_enabled_quiet_2 if not dpm_enabled_fires({})

test_dpm_enabled_quiet_3 if not dpm_enabled_fires({"host": "host-21"})

test_dpm_enabled_quiet_4 if not dpm_enabled_fires({"host": {"cluster": null}})

test_dpm_enabled_quiet_5 if not dpm_enabled_fires({"host": {"cluster": {"dpmEnabled": null}}})

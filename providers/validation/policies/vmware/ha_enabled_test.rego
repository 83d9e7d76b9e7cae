package io.konveyor.forklift.vmware_test

import data.io.konveyor.forklift.vmware

ha_enabled_label := "VM running in an HA-enabled cluster"

ha_enabled_fires(vm) if {
	some concern in vmware.concerns with input as vm
	concern.label == ha_enabled_label
}

test_ha_enabled_is_warning if {
	concerns := vmware.concerns with input as {"host": {"cluster": {"haEnabled": true}}}
	some concern in concerns
	concern.label == ha_enabled_label
	concern.category == "Warning"
}

test_ha_enabled_quiet_1 if not ha_enabled_fires({"host": {"cluster": {"haEnabled": false, "drsEnabled": true}}})

test_ha_enabled_quiet_2 if not ha_enabled_fires({})

test_ha_enabled_quiet_3 if not ha_enabled_fires({"host": "host-21"})

test_ha_enabled_quiet_4 if not ha_enabled_fires({"host": null})

test_ha_enabled_quiet_5 if not ha_enabled_fires({"host": {"cluster": null}})

test_ha_enabled_quiet_6 if not ha_enabled_fires({"host": {"cluster": "domain-c7"}})

test_ha_enabled_quiet_7 if not ha_enabled_fires({"host": {}})

package io.konveyor.forklift.vmware_test

import data.io.konveyor.forklift.vmware

name_invalid_label := "VM name not valid in Kubernetes"

name_invalid_fires(vm) if {
	some concern in vmware.concerns with input as vm
	concern.label == name_invalid_label
}

test_name_invalid_is_warning if {
	concerns := vmware.concerns with input as {"name": "Legacy_App.Server01"}
	some concern in concerns
	concern.label == name_invalid_label
	concern.category == "Warning"
}

test_name_invalid_fires_2 if name_invalid_fires({"name": "web-"})

test_name_invalid_fires_3 if name_invalid_fires({"name": ""})

test_name_invalid_fires_4 if name_invalid_fires({"name": "db 01"})

test_name_invalid_fires_5 if name_invalid_fires({"name": sprintf("a%0253d", [0])})

test_name_invalid_quiet_1 if not name_invalid_fires({"name": "mtv-rhel9-cbt"})

test_name_invalid_quiet_2 if not name_invalid_fires({"name": "a"})

test_name_invalid_quiet_3 if not name_invalid_fires({"name": "vm-00001"})

test_name_invalid_quiet_4 if not name_invalid_fires({})

test_name_invalid_quiet_5 if not name_invalid_fires({"name": null})

test_name_invalid_quiet_6 if not name_invalid_fires({"name": 42})

test_name_invalid_quiet_7 if not name_invalid_fires({"name": sprintf("a%0252d", [0])})

package io.konveyor.forklift.vmware_test

import data.io.konveyor.forklift.vmware

tpm_label := "Virtual TPM"

tpm_fires(vm) if {
	some concern in vmware.concerns with input as vm
	concern.label == tpm_label
}

test_tpm_is_warning if {
	concerns := vmware.concerns with input as {"devices": [{"kind": "VirtualTPM"}]}
	some concern in concerns
	concern.label == tpm_label
	concern.category == "Warning"
}

test_tpm_quiet_1 if not tpm_fires({"devices": [{"kind": "VirtualUSBXHCIController"}]})

test_tpm_quiet_2 if not tpm_fires({"devices": []})

test_tpm_quiet_3 if not tpm_fires({})

test_tpm_quiet_4 if not tpm_fires({"devices": null})

test_tpm_quiet_5 if not tpm_fires({"devices": [null, {"kind": null}, {}]})

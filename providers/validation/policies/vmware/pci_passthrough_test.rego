package io.konveyor.forklift.vmware_test

import data.io.konveyor.forklift.vmware

pci_passthrough_label := "PCI passthrough device"

pci_passthrough_fires(vm) if {
	some concern in vmware.concerns with input as vm
	concern.label == pci_passthrough_label
}

test_pci_passthrough_is_critical if {
	concerns := vmware.concerns with input as {"devices": [{"kind": "VirtualKeyboard"}, {"kind": "VirtualPCIPassthrough"}]}
	some concern in concerns
	concern.label == pci_passthrough_label
	concern.category == "Critical"
}

test_pci_passthrough_quiet_1 if not pci_passthrough_fires({"devices": [{"kind": "VirtualUSBXHCIController"}, {"kind": "VirtualTPM"}]})

test_pci_passthrough_quiet_2 if not pci_passthrough_fires({"devices": []})

test_pci_passthrough_quiet_3 if not pci_passthrough_fires({})

test_pci_passthrough_quiet_4 if not pci_passthrough_fires({"devices": null})

test_pci_passthrough_quiet_5 if not pci_passthrough_fires({"devices": [null, 3, {"kind": null}, {}]})

test_pci_passthrough_quiet_6 if not pci_passthrough_fires({"devices": "VirtualPCIPassthrough"})

package io.konveyor.forklift.ovirt_test

nic_pci_passthrough_label := "NIC with PCI passthrough"

test_nic_pci_passthrough_interface if raises(nic_pci_passthrough_label, "Warning", {"nics": [{"name": "nic1", "interface": "pci_passthrough", "plugged": true, "profile": {"networkFilter": "", "portMirroring": false, "qos": "", "properties": [], "passThrough": false}}]})

test_nic_pci_passthrough_profile if raises(nic_pci_passthrough_label, "Warning", {"nics": [{"name": "nic1", "interface": "virtio", "plugged": true, "profile": {"networkFilter": "", "portMirroring": false, "qos": "", "properties": [], "passThrough": true}}]})

test_nic_pci_passthrough_virtio if quiet(nic_pci_passthrough_label, {"nics": [{"name": "nic1", "interface": "virtio", "plugged": true, "profile": {"networkFilter": "", "portMirroring": false, "qos": "", "properties": [], "passThrough": false}}]})

test_nic_pci_passthrough_missing_fields if quiet(nic_pci_passthrough_label, {})

test_nic_pci_passthrough_null_fields if quiet(nic_pci_passthrough_label, null_record)

package io.konveyor.forklift.ovirt_test

nic_interface_label := "NIC interface not supported"

test_nic_interface_rtl8139_virtio if raises(nic_interface_label, "Warning", {"nics": [{"name": "nic1", "interface": "rtl8139_virtio", "plugged": true, "profile": {"networkFilter": "", "portMirroring": false, "qos": "", "properties": [], "passThrough": false}}]})

test_nic_interface_spapr_vlan if raises(nic_interface_label, "Warning", {"nics": [{"name": "nic1", "interface": "spapr_vlan", "plugged": true, "profile": {"networkFilter": "", "portMirroring": false, "qos": "", "properties": [], "passThrough": false}}]})

test_nic_interface_virtio if quiet(nic_interface_label, {"nics": [{"name": "nic1", "interface": "virtio", "plugged": true, "profile": {"networkFilter": "", "portMirroring": false, "qos": "", "properties": [], "passThrough": false}}]})

test_nic_interface_e1000 if quiet(nic_interface_label, {"nics": [{"name": "nic1", "interface": "e1000", "plugged": true, "profile": {"networkFilter": "", "portMirroring": false, "qos": "", "properties": [], "passThrough": false}}]})

test_nic_interface_pci_passthrough if quiet(nic_interface_label, {"nics": [{"name": "nic1", "interface": "pci_passthrough", "plugged": true, "profile": {"networkFilter": "", "portMirroring": false, "qos": "", "properties": [], "passThrough": false}}]})

test_nic_interface_missing_fields if quiet(nic_interface_label, {})

test_nic_interface_null_fields if quiet(nic_interface_label, null_record)

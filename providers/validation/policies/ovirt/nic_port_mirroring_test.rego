package io.konveyor.forklift.ovirt_test

nic_port_mirroring_label := "Port mirroring"

test_nic_port_mirroring_mirroring if raises(nic_port_mirroring_label, "Warning", {"nics": [{"name": "nic1", "interface": "virtio", "plugged": true, "profile": {"networkFilter": "", "portMirroring": true, "qos": "", "properties": [], "passThrough": false}}]})

test_nic_port_mirroring_none if quiet(nic_port_mirroring_label, {"nics": [{"name": "nic1", "interface": "virtio", "plugged": true, "profile": {"networkFilter": "", "portMirroring": false, "qos": "", "properties": [], "passThrough": false}}]})

test_nic_port_mirroring_missing_fields if quiet(nic_port_mirroring_label, {})

test_nic_port_mirroring_null_fields if quiet(nic_port_mirroring_label, null_record)

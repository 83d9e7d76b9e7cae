package io.konveyor.forklift.ovirt_test

nic_qos_label := "vNIC QoS"

test_nic_qos_limited if raises(nic_qos_label, "Warning", {"nics": [{"name": "nic1", "interface": "virtio", "plugged": true, "profile": {"networkFilter": "", "portMirroring": false, "qos": "3a5c1b9e-2f0d-4b4c-9d1e-0c6f2a7b8e91", "properties": [], "passThrough": false}}]})

test_nic_qos_unlimited if quiet(nic_qos_label, {"nics": [{"name": "nic1", "interface": "virtio", "plugged": true, "profile": {"networkFilter": "", "portMirroring": false, "qos": "", "properties": [], "passThrough": false}}]})

test_nic_qos_missing_fields if quiet(nic_qos_label, {})

test_nic_qos_null_fields if quiet(nic_qos_label, null_record)

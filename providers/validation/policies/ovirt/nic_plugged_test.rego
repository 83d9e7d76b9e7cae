package io.konveyor.forklift.ovirt_test

nic_plugged_label := "Unplugged NIC"

test_nic_plugged_unplugged if raises(nic_plugged_label, "Warning", {"nics": [{"name": "nic1", "interface": "virtio", "plugged": false, "profile": {"networkFilter": "", "portMirroring": false, "qos": "", "properties": [], "passThrough": false}}]})

test_nic_plugged_plugged if quiet(nic_plugged_label, {"nics": [{"name": "nic1", "interface": "virtio", "plugged": true, "profile": {"networkFilter": "", "portMirroring": false, "qos": "", "properties": [], "passThrough": false}}]})

test_nic_plugged_plugged_missing if quiet(nic_plugged_label, {"nics": [{"name": "nic1"}]})

test_nic_plugged_missing_fields if quiet(nic_plugged_label, {})

test_nic_plugged_null_fields if quiet(nic_plugged_label, null_record)

package io.konveyor.forklift.ovirt_test

nic_network_filter_label := "vNIC network filter"

test_nic_network_filter_filtered if raises(nic_network_filter_label, "Warning", {"nics": [{"name": "nic1", "interface": "virtio", "plugged": true, "profile": {"networkFilter": "d2370ab4-fee3-11e9-a310-8c1645ce738e", "portMirroring": false, "qos": "", "properties": [], "passThrough": false}}]})

test_nic_network_filter_no_filter if quiet(nic_network_filter_label, {"nics": [{"name": "nic1", "interface": "virtio", "plugged": true, "profile": {"networkFilter": "", "portMirroring": false, "qos": "", "properties": [], "passThrough": false}}]})

test_nic_network_filter_profile_not_expanded if quiet(nic_network_filter_label, {"nics": [{"profile": "p-id"}]})

test_nic_network_filter_missing_fields if quiet(nic_network_filter_label, {})

test_nic_network_filter_null_fields if quiet(nic_network_filter_label, null_record)

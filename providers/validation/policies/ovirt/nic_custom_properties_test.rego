package io.konveyor.forklift.ovirt_test

nic_custom_properties_label := "vNIC profile custom properties"

test_nic_custom_properties_set if raises(nic_custom_properties_label, "Warning", {"nics": [{"name": "nic1", "interface": "virtio", "plugged": true, "profile": {"networkFilter": "", "portMirroring": false, "qos": "", "properties": [{"name": "ifacemacspoof", "value": "true"}], "passThrough": false}}]})

test_nic_custom_properties_none if quiet(nic_custom_properties_label, {"nics": [{"name": "nic1", "interface": "virtio", "plugged": true, "profile": {"networkFilter": "", "portMirroring": false, "qos": "", "properties": [], "passThrough": false}}]})

test_nic_custom_properties_profile_not_expanded if quiet(nic_custom_properties_label, {"nics": [{"profile": "p-id"}]})

test_nic_custom_properties_missing_fields if quiet(nic_custom_properties_label, {})

test_nic_custom_properties_null_fields if quiet(nic_custom_properties_label, null_record)

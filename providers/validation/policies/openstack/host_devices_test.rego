package io.konveyor.forklift.openstack_test

host_devices_label := "Host devices requested"

test_host_devices_pci_alias if raises(host_devices_label, "Warning", {"flavor": {"name": "m1.test", "extraSpecs": {"pci_passthrough:alias": "t4-gpu:1"}}})

test_host_devices_vgpu if raises(host_devices_label, "Warning", {"flavor": {"name": "m1.test", "extraSpecs": {"resources:VGPU": "1"}}})

test_host_devices_none if quiet(host_devices_label, {"flavor": {"name": "m1.test", "extraSpecs": {"hw:cpu_policy": "shared"}}})

test_host_devices_missing_fields if quiet(host_devices_label, {})

test_host_devices_null_fields if quiet(host_devices_label, null_record)

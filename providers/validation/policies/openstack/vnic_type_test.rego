package io.konveyor.forklift.openstack_test

vnic_type_label := "SR-IOV or direct port"

test_vnic_type_direct if raises(vnic_type_label, "Warning", {"nics": [{"id": "p1", "model": "virtio", "vnicType": "direct"}]})

test_vnic_type_normal if quiet(vnic_type_label, {"nics": [{"id": "p1", "model": "virtio", "vnicType": "normal"}]})

test_vnic_type_missing_fields if quiet(vnic_type_label, {})

test_vnic_type_null_fields if quiet(vnic_type_label, null_record)

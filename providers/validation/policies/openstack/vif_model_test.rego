package io.konveyor.forklift.openstack_test

vif_model_label := "VIF model not supported"

test_vif_model_vmxnet3 if raises(vif_model_label, "Warning", {"nics": [{"id": "p1", "model": "vmxnet3", "vnicType": "normal"}]})

test_vif_model_virtio if quiet(vif_model_label, {"nics": [{"id": "p1", "model": "virtio", "vnicType": "normal"}]})

test_vif_model_e1000 if quiet(vif_model_label, {"nics": [{"id": "p1", "model": "e1000", "vnicType": "normal"}]})

test_vif_model_missing_fields if quiet(vif_model_label, {})

test_vif_model_null_fields if quiet(vif_model_label, null_record)

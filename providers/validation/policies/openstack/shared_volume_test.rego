package io.konveyor.forklift.openstack_test

shared_volume_label := "Multi-attach volume"

test_shared_volume_shared if raises(shared_volume_label, "Warning", {"disks": [{"id": "v1", "bus": "virtio", "shared": true, "status": "in-use"}]})

test_shared_volume_not_shared if quiet(shared_volume_label, {"disks": [{"id": "v1", "bus": "virtio", "shared": false, "status": "in-use"}]})

test_shared_volume_missing_fields if quiet(shared_volume_label, {})

test_shared_volume_null_fields if quiet(shared_volume_label, null_record)

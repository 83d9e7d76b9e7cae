package io.konveyor.forklift.ovirt_test

shared_disk_label := "Shared disk"

test_shared_disk_shared if raises(shared_disk_label, "Warning", {"diskAttachments": [{"interface": "virtio_scsi", "disk": {"status": "ok", "storageType": "image", "shared": true}}]})

test_shared_disk_not_shared if quiet(shared_disk_label, {"diskAttachments": [{"interface": "virtio_scsi", "disk": {"status": "ok", "storageType": "image", "shared": false}}]})

test_shared_disk_missing_fields if quiet(shared_disk_label, {})

test_shared_disk_null_fields if quiet(shared_disk_label, null_record)

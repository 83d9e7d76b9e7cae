package io.konveyor.forklift.ovirt_test

disk_status_label := "Disk locked or illegal"

test_disk_status_locked if raises(disk_status_label, "Critical", {"diskAttachments": [{"interface": "virtio_scsi", "disk": {"status": "locked", "storageType": "image", "shared": false}}]})

test_disk_status_illegal if raises(disk_status_label, "Critical", {"diskAttachments": [{"interface": "virtio_scsi", "disk": {"status": "illegal", "storageType": "image", "shared": false}}]})

test_disk_status_ok if quiet(disk_status_label, {"diskAttachments": [{"interface": "virtio_scsi", "disk": {"status": "ok", "storageType": "image", "shared": false}}]})

test_disk_status_no_status if quiet(disk_status_label, {"diskAttachments": [{"interface": "virtio_scsi", "disk": {"status": null, "storageType": "image", "shared": false}}]})

test_disk_status_disk_missing if quiet(disk_status_label, {"diskAttachments": [{"id": "a"}]})

test_disk_status_missing_fields if quiet(disk_status_label, {})

test_disk_status_null_fields if quiet(disk_status_label, null_record)

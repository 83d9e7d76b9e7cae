package io.konveyor.forklift.ovirt_test

lun_disk_label := "Direct LUN disk"

test_lun_disk_lun if raises(lun_disk_label, "Warning", {"diskAttachments": [{"interface": "virtio_scsi", "disk": {"status": "ok", "storageType": "lun", "shared": false}}]})

test_lun_disk_image if quiet(lun_disk_label, {"diskAttachments": [{"interface": "virtio_scsi", "disk": {"status": "ok", "storageType": "image", "shared": false}}]})

test_lun_disk_missing_fields if quiet(lun_disk_label, {})

test_lun_disk_null_fields if quiet(lun_disk_label, null_record)

package io.konveyor.forklift.ovirt_test

disk_storage_type_label := "Disk on unsupported storage"

test_disk_storage_type_managed_block if raises(disk_storage_type_label, "Critical", {"diskAttachments": [{"interface": "virtio_scsi", "disk": {"status": "ok", "storageType": "managed_block_storage", "shared": false}}]})

test_disk_storage_type_cinder if raises(disk_storage_type_label, "Critical", {"diskAttachments": [{"interface": "virtio_scsi", "disk": {"status": "ok", "storageType": "cinder", "shared": false}}]})

test_disk_storage_type_image if quiet(disk_storage_type_label, {"diskAttachments": [{"interface": "virtio_scsi", "disk": {"status": "ok", "storageType": "image", "shared": false}}]})

test_disk_storage_type_lun if quiet(disk_storage_type_label, {"diskAttachments": [{"interface": "virtio_scsi", "disk": {"status": "ok", "storageType": "lun", "shared": false}}]})

test_disk_storage_type_missing_fields if quiet(disk_storage_type_label, {})

test_disk_storage_type_null_fields if quiet(disk_storage_type_label, null_record)

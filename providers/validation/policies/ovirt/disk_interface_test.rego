package io.konveyor.forklift.ovirt_test

disk_interface_label := "Disk interface not supported"

test_disk_interface_ide if raises(disk_interface_label, "Warning", {"diskAttachments": [{"interface": "ide", "scsiReservation": false, "disk": {"status": "ok"}}]})

test_disk_interface_spapr_vscsi if raises(disk_interface_label, "Warning", {"diskAttachments": [{"interface": "spapr_vscsi", "scsiReservation": false, "disk": {"status": "ok"}}]})

test_disk_interface_virtio_scsi if quiet(disk_interface_label, {"diskAttachments": [{"interface": "virtio_scsi", "scsiReservation": false, "disk": {"status": "ok"}}]})

test_disk_interface_sata if quiet(disk_interface_label, {"diskAttachments": [{"interface": "sata", "scsiReservation": false, "disk": {"status": "ok"}}]})

test_disk_interface_missing_fields if quiet(disk_interface_label, {})

test_disk_interface_null_fields if quiet(disk_interface_label, null_record)

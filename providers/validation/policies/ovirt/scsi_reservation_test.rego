package io.konveyor.forklift.ovirt_test

scsi_reservation_label := "SCSI reservation"

test_scsi_reservation_reserved if raises(scsi_reservation_label, "Warning", {"diskAttachments": [{"interface": "virtio_scsi", "scsiReservation": true, "disk": {"status": "ok"}}]})

test_scsi_reservation_not_reserved if quiet(scsi_reservation_label, {"diskAttachments": [{"interface": "virtio_scsi", "scsiReservation": false, "disk": {"status": "ok"}}]})

test_scsi_reservation_missing_fields if quiet(scsi_reservation_label, {})

test_scsi_reservation_null_fields if quiet(scsi_reservation_label, null_record)

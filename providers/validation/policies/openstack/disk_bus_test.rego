package io.konveyor.forklift.openstack_test

disk_bus_label := "Disk bus not supported"

test_disk_bus_ide if raises(disk_bus_label, "Warning", {"disks": [{"id": "v1", "bus": "ide", "shared": false, "status": "in-use"}]})

test_disk_bus_virtio if quiet(disk_bus_label, {"disks": [{"id": "v1", "bus": "virtio", "shared": false, "status": "in-use"}]})

test_disk_bus_scsi if quiet(disk_bus_label, {"disks": [{"id": "v1", "bus": "scsi", "shared": false, "status": "in-use"}]})

test_disk_bus_sata if quiet(disk_bus_label, {"disks": [{"id": "v1", "bus": "sata", "shared": false, "status": "in-use"}]})

test_disk_bus_missing_fields if quiet(disk_bus_label, {})

test_disk_bus_null_fields if quiet(disk_bus_label, null_record)

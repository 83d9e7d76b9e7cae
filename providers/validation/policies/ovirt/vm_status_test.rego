package io.konveyor.forklift.ovirt_test

vm_status_label := "VM status does not allow migration"

test_vm_status_suspended if raises(vm_status_label, "Critical", {"status": "suspended"})

test_vm_status_paused if raises(vm_status_label, "Critical", {"status": "paused"})

test_vm_status_up if quiet(vm_status_label, {"status": "up"})

test_vm_status_down if quiet(vm_status_label, {"status": "down"})

test_vm_status_missing_fields if quiet(vm_status_label, {})

test_vm_status_null_fields if quiet(vm_status_label, null_record)

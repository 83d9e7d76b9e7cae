package io.konveyor.forklift.openstack_test

vm_status_label := "VM status does not allow migration"

test_vm_status_error if raises(vm_status_label, "Critical", {"status": "ERROR"})

test_vm_status_paused if raises(vm_status_label, "Critical", {"status": "PAUSED"})

test_vm_status_active if quiet(vm_status_label, {"status": "ACTIVE"})

test_vm_status_shutoff if quiet(vm_status_label, {"status": "SHUTOFF"})

test_vm_status_missing_fields if quiet(vm_status_label, {})

test_vm_status_null_fields if quiet(vm_status_label, null_record)

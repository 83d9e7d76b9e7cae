package io.konveyor.forklift.ovirt_test

ha_label := "VM configured as highly available"

test_ha_enabled if raises(ha_label, "Warning", {"haEnabled": true})

test_ha_disabled if quiet(ha_label, {"haEnabled": false})

test_ha_missing_fields if quiet(ha_label, {})

test_ha_null_fields if quiet(ha_label, null_record)

package io.konveyor.forklift.ovirt_test

display_type_label := "SPICE display"

test_display_type_spice if raises(display_type_label, "Information", {"display": "spice"})

test_display_type_vnc if quiet(display_type_label, {"display": "vnc"})

test_display_type_missing_fields if quiet(display_type_label, {})

test_display_type_null_fields if quiet(display_type_label, null_record)

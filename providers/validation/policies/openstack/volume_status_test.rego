package io.konveyor.forklift.openstack_test

volume_status_label := "Volume not available"

test_volume_status_error if raises(volume_status_label, "Critical", {"volumes": [{"status": "in-use"}, {"status": "error"}]})

test_volume_status_unknown if raises(volume_status_label, "Critical", {"volumes": [{"status": "unknown"}]})

test_volume_status_in_use if quiet(volume_status_label, {"volumes": [{"status": "in-use"}]})

test_volume_status_available if quiet(volume_status_label, {"volumes": [{"status": "available"}]})

test_volume_status_no_volumes if quiet(volume_status_label, {"volumes": []})

test_volume_status_missing_fields if quiet(volume_status_label, {})

test_volume_status_null_fields if quiet(volume_status_label, null_record)

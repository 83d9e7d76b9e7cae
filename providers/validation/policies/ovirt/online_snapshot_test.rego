package io.konveyor.forklift.ovirt_test

online_snapshot_label := "Snapshot with memory state"

test_online_snapshot_with_memory if raises(online_snapshot_label, "Warning", {"snapshots": [{"type": "active", "persistMemory": false}, {"type": "regular", "persistMemory": true}]})

test_online_snapshot_without_memory if quiet(online_snapshot_label, {"snapshots": [{"type": "active", "persistMemory": false}, {"type": "regular", "persistMemory": false}]})

test_online_snapshot_missing_fields if quiet(online_snapshot_label, {})

test_online_snapshot_null_fields if quiet(online_snapshot_label, null_record)

package io.konveyor.forklift.ovirt_test

watchdog_label := "Watchdog device"

test_watchdog_present if raises(watchdog_label, "Warning", {"watchDogs": [{"action": "reset", "model": "i6300esb"}]})

test_watchdog_none if quiet(watchdog_label, {"watchDogs": []})

test_watchdog_missing_fields if quiet(watchdog_label, {})

test_watchdog_null_fields if quiet(watchdog_label, null_record)

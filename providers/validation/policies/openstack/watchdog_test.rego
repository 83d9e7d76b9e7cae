package io.konveyor.forklift.openstack_test

watchdog_label := "Watchdog device"

test_watchdog_flavor if raises(watchdog_label, "Warning", {"flavor": {"name": "m1.test", "extraSpecs": {"hw:watchdog_action": "reset"}}})

test_watchdog_image if raises(watchdog_label, "Warning", {"image": {"name": "test", "properties": {"hw_watchdog_action": "poweroff"}}})

test_watchdog_disabled if quiet(watchdog_label, {"image": {"name": "test", "properties": {"hw_watchdog_action": "disabled"}}, "flavor": {"name": "m1.test", "extraSpecs": {}}})

test_watchdog_missing_fields if quiet(watchdog_label, {})

test_watchdog_null_fields if quiet(watchdog_label, null_record)

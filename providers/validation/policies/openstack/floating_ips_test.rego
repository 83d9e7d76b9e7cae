package io.konveyor.forklift.openstack_test

floating_ips_label := "Floating IP"

test_floating_ips_one if raises(floating_ips_label, "Warning", {"floatingIPs": ["172.24.4.50"]})

test_floating_ips_none if quiet(floating_ips_label, {"floatingIPs": []})

test_floating_ips_missing_fields if quiet(floating_ips_label, {})

test_floating_ips_null_fields if quiet(floating_ips_label, null_record)

package io.konveyor.forklift.openstack_test

numa_label := "NUMA topology"

test_numa_flavor if raises(numa_label, "Warning", {"flavor": {"name": "m1.test", "extraSpecs": {"hw:numa_nodes": "2"}}})

test_numa_image if raises(numa_label, "Warning", {"image": {"name": "test", "properties": {"hw_numa_nodes": "2"}}})

test_numa_none if quiet(numa_label, {"flavor": {"name": "m1.test", "extraSpecs": {"hw:cpu_policy": "shared"}}, "image": {"name": "test", "properties": {"os_distro": "rhel"}}})

test_numa_missing_fields if quiet(numa_label, {})

test_numa_null_fields if quiet(numa_label, null_record)

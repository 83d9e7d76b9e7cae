package io.konveyor.forklift.openshift_test

host_devices_label := "Host devices attached"

test_host_devices if {
	concern := concern_for(
		{"hostDevices": [
			{"kind": "gpu", "name": "gpu1", "deviceName": "nvidia.com/GV100GL_Tesla_V100"},
			{"kind": "hostDevice", "name": "nic-vf", "deviceName": "intel.com/sriov"},
		]},
		host_devices_label,
	)
	concern.category == "Warning"
	contains(concern.assessment, "gpu1 (nvidia.com/GV100GL_Tesla_V100), nic-vf (intel.com/sriov)")
}

test_no_host_devices if {
	every record in [{"hostDevices": []}, {"hostDevices": null}, {}, {"hostDevices": ["x"]}] {
		not host_devices_label in labels_for(record)
	}
}

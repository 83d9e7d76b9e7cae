package io.konveyor.forklift.openshift_test

running_label := "VM is running"

test_running_vm if {
	concern_for({"powerState": "On", "status": "Running"}, running_label).category == "Warning"
}

test_stopped_vm if {
	every record in [{"powerState": "Off"}, {}, {"powerState": null}, {"powerState": "on"}] {
		not running_label in labels_for(record)
	}
}

package io.konveyor.forklift.openshift_test

import data.io.konveyor.forklift.openshift

# The labels of the concerns the package raises for one record.
labels_for(record) := {concern.label | some concern in concerns} if {
	concerns := openshift.concerns with input as record
}

# The concern with this label raised for the record (undefined when there is none).
concern_for(record, label) := concern if {
	some concern in openshift.concerns with input as record
	concern.label == label
}

package io.konveyor.forklift.ova_test

import data.io.konveyor.forklift.ova

# The labels of the concerns the package raises for one record.
labels_for(record) := {concern.label | some concern in concerns} if {
	concerns := ova.concerns with input as record
}

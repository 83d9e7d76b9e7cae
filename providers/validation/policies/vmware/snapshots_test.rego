package io.konveyor.forklift.vmware_test

import data.io.konveyor.forklift.vmware

snapshots_label := "VM has snapshots"

snapshots_fires(vm) if {
	some concern in vmware.concerns with input as vm
	concern.label == snapshots_label
}

test_snapshots_is_information if {
	concerns := vmware.concerns with input as {"snapshot": {"kind": "VirtualMachineSnapshot", "id": "snapshot-9"}, "snapshotCount": 2}
	some concern in concerns
	concern.label == snapshots_label
	concern.category == "Information"
}

test_snapshots_fires_2 if snapshots_fires({"snapshotCount": 1})

test_snapshots_quiet_1 if not snapshots_fires({"snapshot": null, "snapshotCount": 0})

test_snapshots_quiet_2 if not snapshots_fires({})

test_snapshots_quiet_3 if not snapshots_fires({"snapshotCount": null})

test_snapshots_quiet_4 if not snapshots_fires({"snapshotCount": "2"})

package io.konveyor.forklift.ovirt_test

import data.io.konveyor.forklift.ovirt

# What every rule test uses: the record raises the concern of this label with this category…
raises(label, category, record) if {
	concerns := ovirt.concerns with input as record
	some concern in concerns
	concern.label == label
	concern.category == category
}

# …or does not raise it.
quiet(label, record) if {
	concerns := ovirt.concerns with input as record
	every concern in concerns {
		concern.label != label
	}
}

# A record whose fields are all null: no rule may fail on it or flag anything from it.
null_record := {field: null | some field in [
	"balloonedMemory", "bios", "bootMenuEnabled", "cluster", "cpuAffinity", "cpuPinningPolicy", "cpuShares",
	"diskAttachments", "display", "haEnabled", "hasIllegalImages", "hostDevices", "ioThreads", "name", "nics",
	"numaNodeAffinity", "placementPolicyAffinity", "properties", "snapshots", "status",
	"storageErrorResumeBehaviour", "usbEnabled", "watchDogs",
]}

# A string of n letters.
letters(n) := concat("", [letter | some _ in numbers.range(1, n); letter := "a"])

# Every concern of a record that trips many rules is well formed, and labels are distinct.
test_concerns_are_well_formed if {
	record := {
		"status": "suspended", "hasIllegalImages": true, "bootMenuEnabled": true, "haEnabled": true,
		"usbEnabled": true, "balloonedMemory": true, "display": "spice", "ioThreads": 2, "cpuShares": 1024,
		"cpuAffinity": [{"set": "0", "cpu": 0}], "cpuPinningPolicy": "dedicated", "properties": [{"name": "a"}],
		"hostDevices": [{"capability": "pci"}], "numaNodeAffinity": ["0"], "watchDogs": [{"model": "i6300esb"}],
		"snapshots": [{"persistMemory": true}], "placementPolicyAffinity": "pinned", "bios": "q35_secure_boot",
		"storageErrorResumeBehaviour": "kill", "name": "Not_Valid",
		"cluster": {"haReservation": true, "ksmEnabled": true},
		"diskAttachments": [{
			"interface": "ide", "scsiReservation": true,
			"disk": {"status": "locked", "storageType": "lun", "shared": true},
		}],
		"nics": [{
			"interface": "rtl8139_virtio", "plugged": false,
			"profile": {"networkFilter": "f", "portMirroring": true, "qos": "q", "properties": [{"name": "p"}]},
		}],
	}
	concerns := ovirt.concerns with input as record
	count(concerns) >= 30
	labels := {concern.label | some concern in concerns}
	count(labels) == count(concerns)
	every concern in concerns {
		concern.category in {"Critical", "Warning", "Information"}
		count(concern.label) > 0
		count(concern.assessment) > 0
	}
}

package io.konveyor.forklift.openstack_test

import data.io.konveyor.forklift.openstack

# What every rule test uses: the record raises the concern of this label with this category…
raises(label, category, record) if {
	concerns := openstack.concerns with input as record
	some concern in concerns
	concern.label == label
	concern.category == category
}

# …or does not raise it.
quiet(label, record) if {
	concerns := openstack.concerns with input as record
	every concern in concerns {
		concern.label != label
	}
}

# A record whose fields are all null: no rule may fail on it.
null_record := {field: null | some field in [
	"disks", "firmware", "flavor", "floatingIPs", "image", "imageBased", "localDisks", "name", "nics", "osDistro",
	"osType", "secureBoot", "status", "volumes",
]}

# A string of n letters.
letters(n) := concat("", [letter | some _ in numbers.range(1, n); letter := "a"])

# Every concern of a record that trips many rules is well formed, and labels are distinct.
test_concerns_are_well_formed if {
	record := {
		"status": "ERROR", "name": "Not_Valid", "imageBased": true, "localDisks": [{"kind": "root"}],
		"volumes": [{"status": "error"}], "secureBoot": true, "floatingIPs": ["172.24.4.50"],
		"osType": "", "osDistro": "",
		"flavor": {"extraSpecs": {
			"hw:boot_menu": "true", "quota:cpu_shares": "2048", "hw:numa_nodes": "2",
			"pci_passthrough:alias": "gpu:1", "hw:watchdog_action": "reset",
		}},
		"disks": [{"bus": "ide", "shared": true}],
		"nics": [{"model": "vmxnet3", "vnicType": "direct"}],
	}
	concerns := openstack.concerns with input as record
	count(concerns) == 16
	labels := {concern.label | some concern in concerns}
	count(labels) == count(concerns)
	every concern in concerns {
		concern.category in {"Critical", "Warning", "Information"}
		count(concern.label) > 0
		count(concern.assessment) > 0
	}
}

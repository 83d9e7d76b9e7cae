package io.konveyor.forklift.vmware

# A virtual TPM among the VM's devices (vSphere 6.7 and later).
tpm_devices contains device if {
	some device in input.devices
	device.kind == "VirtualTPM"
}

concerns contains flag if {
	count(tpm_devices) > 0
	flag := {
		"category": "Warning",
		"label": "Virtual TPM",
		"assessment": "The VM has a virtual TPM. Its state, such as keys sealed by BitLocker, is not migrated, and the target VM starts with an empty TPM. Suspend BitLocker or keep its recovery key at hand before migrating, and give the target VM a persistent TPM if the guest needs one.",
	}
}

package io.konveyor.forklift.openshift

has_tpm if input.tpm == true

concerns contains flag if {
	has_tpm
	flag := {
		"category": "Warning",
		"label": "Virtual TPM",
		"assessment": "The VM has a virtual TPM. Its state is not copied: the migrated VM starts with a new, empty TPM, so secrets sealed to it (BitLocker, LUKS unlocked by the TPM, measured boot) are not available. Have the recovery keys at hand before migrating.",
	}
}

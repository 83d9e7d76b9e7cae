package io.konveyor.forklift.openshift_test

tpm_label := "Virtual TPM"

test_tpm if {
	concern_for({"tpm": true}, tpm_label).category == "Warning"
}

test_no_tpm if {
	every record in [{"tpm": false}, {}, {"tpm": null}, {"tpm": {}}] {
		not tpm_label in labels_for(record)
	}
}

package io.konveyor.forklift.openshift_test

import data.io.konveyor.forklift.openshift

test_concern_text_keeps_plain_text if {
	openshift.concern_text("db-1 / Network adapter 1 ü") == "db-1 / Network adapter 1 ü"
}

test_concern_text_replaces_quotes_backslashes_and_controls if {
	openshift.concern_text("Web \"1\"\\x\ty\n") == "Web '1'?x?y?"
}

test_concern_text_of_other_values if {
	every value in [null, 7, true, ["a"], {"a": 1}] {
		openshift.concern_text(value) == "?"
	}
}

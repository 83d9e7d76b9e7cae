package io.konveyor.forklift.ova_test

import data.io.konveyor.forklift.ova

test_concern_text_keeps_plain_text if {
	ova.concern_text("win2019-efi.ova / Network adapter 1 ü") == "win2019-efi.ova / Network adapter 1 ü"
}

test_concern_text_replaces_quotes_backslashes_and_controls if {
	ova.concern_text("Web \"1\"\\x\ty\n") == "Web '1'?x?y?"
}

test_concern_text_of_other_values if {
	every value in [null, 7, true, ["a"], {"a": 1}] {
		ova.concern_text(value) == "?"
	}
}

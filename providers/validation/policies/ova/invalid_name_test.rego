package io.konveyor.forklift.ova_test

import data.io.konveyor.forklift.ova

name_label := "Invalid VM name"

too_long_name := concat("", [c | some _ in numbers.range(1, 254); c := "a"])

test_invalid_names if {
	every name in ["Finance_DB 01", "web.example.com", "-edge", "edge-", "UPPER", "", too_long_name] {
		some concern in ova.concerns with input as {"name": name}
		concern.label == name_label
		concern.category == "Warning"
	}
}

test_invalid_name_is_quoted if {
	some concern in ova.concerns with input as {"name": "Finance_DB 01"}
	concern.label == name_label
	contains(concern.assessment, "'Finance_DB 01'")
}

test_valid_names if {
	every name in ["alpine-bios", "a", "0vm-1", substring(too_long_name, 0, 253)] {
		not name_label in labels_for({"name": name})
	}
}

test_name_quiet_when_missing if {
	every record in [{}, {"name": null}, {"name": 7}] {
		not name_label in labels_for(record)
	}
}

test_name_shown_without_quotes_or_backslashes if {
	some concern in ova.concerns with input as {"name": "Web \"1\"\\x"}
	concern.label == name_label
	contains(concern.assessment, "'Web ?1??x'")
}

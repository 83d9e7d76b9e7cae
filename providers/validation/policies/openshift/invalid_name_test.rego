package io.konveyor.forklift.openshift_test

name_label := "Invalid VM name"

test_dotted_name if {
	concern := concern_for({"name": "db.prod-1"}, name_label)
	concern.category == "Warning"
	contains(concern.assessment, "'db.prod-1'")
}

test_other_invalid_names if {
	every name in ["Web_1", "-a", "a-", "", concat("", [c | some _ in numbers.range(1, 254); c := "a"])] {
		name_label in labels_for({"name": name})
	}
}

test_valid_names if {
	every name in ["web-1", "a", "0"] {
		not name_label in labels_for({"name": name})
	}
}

test_name_quiet_when_missing if {
	every record in [{}, {"name": null}, {"name": ["a.b"]}] {
		not name_label in labels_for(record)
	}
}

test_name_shown_without_quotes_or_control_characters if {
	concern := concern_for({"name": "db\"1\t"}, name_label)
	contains(concern.assessment, "'db?1?'")
}

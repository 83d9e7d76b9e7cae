package io.konveyor.forklift.ova_test

import data.io.konveyor.forklift.ova

usb_label := "USB controller present"

test_usb_controller if {
	concerns := ova.concerns with input as {"devices": [{"kind": "Video card"}, {"kind": "USB controller"}]}
	some concern in concerns
	concern.label == usb_label
	concern.category == "Warning"
}

test_no_usb_controller if {
	every record in [
		{"devices": [{"kind": "Video card"}, {"kind": "CD/DVD drive"}]},
		{"devices": []}, {"devices": null}, {}, {"devices": [{}]}, {"devices": ["usb"]},
	] {
		not usb_label in labels_for(record)
	}
}

package io.konveyor.forklift.ovirt_test

usb_label := "USB enabled"

test_usb_enabled if raises(usb_label, "Warning", {"usbEnabled": true})

test_usb_disabled if quiet(usb_label, {"usbEnabled": false})

test_usb_missing_fields if quiet(usb_label, {})

test_usb_null_fields if quiet(usb_label, null_record)

package io.konveyor.forklift.vmware_test

import data.io.konveyor.forklift.vmware

usb_controller_label := "USB controller"

usb_controller_fires(vm) if {
	some concern in vmware.concerns with input as vm
	concern.label == usb_controller_label
}

test_usb_controller_is_warning if {
	concerns := vmware.concerns with input as {"devices": [{"kind": "VirtualUSBXHCIController"}]}
	some concern in concerns
	concern.label == usb_controller_label
	concern.category == "Warning"
}

test_usb_controller_fires_2 if usb_controller_fires({"devices": [{"kind": "VirtualUSBController"}]})

test_usb_controller_quiet_1 if not usb_controller_fires({"devices": [{"kind": "VirtualKeyboard"}, {"kind": "VirtualTPM"}]})

test_usb_controller_quiet_2 if not usb_controller_fires({"devices": []})

test_usb_controller_quiet_3 if not usb_controller_fires({})

test_usb_controller_quiet_4 if not usb_controller_fires({"devices": null})

test_usb_controller_quiet_5 if not usb_controller_fires({"devices": [null, {"kind": null}, {}]})

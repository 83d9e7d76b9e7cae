package io.konveyor.forklift.ovirt

# KubeVirt offers VNC and serial consoles only.
# Reads display.
has_spice_display if {
	is_string(input.display)
	not input.display in {"", "vnc"}
}

concerns contains flag if {
	has_spice_display
	flag := {
		"category": "Information",
		"label": "SPICE display",
		"assessment": "The VM uses a SPICE console. OpenShift Virtualization provides VNC and serial consoles only, so SPICE features (several monitors, USB redirection, smart cards, clipboard sharing) are not available after migration.",
	}
}

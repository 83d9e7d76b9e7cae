package io.konveyor.forklift.ova

hot_plug_settings contains "CPU hot add" if input.cpuHotAddEnabled == true

hot_plug_settings contains "CPU hot remove" if input.cpuHotRemoveEnabled == true

hot_plug_settings contains "memory hot add" if input.memoryHotAddEnabled == true

concerns contains flag if {
	count(hot_plug_settings) > 0
	flag := {
		"category": "Warning",
		"label": "CPU or memory hot plug enabled",
		"assessment": concat("", [
			"The VM has ",
			concat(", ", sort(hot_plug_settings)),
			" enabled in vSphere. The setting is not carried over: the migrated VM keeps the CPU count and memory size it has now. Change them with the VM stopped, or set up hot plug in OpenShift Virtualization after the migration.",
		]),
	}
}

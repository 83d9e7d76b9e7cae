package io.konveyor.forklift.vmware

# Memory hot add enabled (config.memoryHotAddEnabled).
has_memory_hot_plug if input.memoryHotAddEnabled == true

concerns contains flag if {
	has_memory_hot_plug
	flag := {
		"category": "Warning",
		"label": "Memory hot plug enabled",
		"assessment": "Memory hot add is enabled on this VM. The migrated VM starts with the memory it has now and without this setting; to add memory while it runs on the target, give the VirtualMachine a maximum guest memory (KubeVirt memory hotplug).",
	}
}

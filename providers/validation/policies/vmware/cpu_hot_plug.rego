package io.konveyor.forklift.vmware

# CPU hot add or hot remove enabled (config.cpuHotAddEnabled, config.cpuHotRemoveEnabled).
has_cpu_hot_plug if input.cpuHotAddEnabled == true

has_cpu_hot_plug if input.cpuHotRemoveEnabled == true

concerns contains flag if {
	has_cpu_hot_plug
	flag := {
		"category": "Warning",
		"label": "CPU hot plug enabled",
		"assessment": "CPU hot add or hot remove is enabled on this VM. The migrated VM starts with the vCPUs it has now and without this setting; to add vCPUs while it runs on the target, give the VirtualMachine a maximum number of sockets (KubeVirt CPU hotplug).",
	}
}

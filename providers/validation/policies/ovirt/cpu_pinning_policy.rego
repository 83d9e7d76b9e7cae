package io.konveyor.forklift.ovirt

# Pinning policies that give the VM exclusive host CPUs (manual pins are cpu_tune's).
# Reads cpuPinningPolicy.
has_exclusive_cpu_policy if input.cpuPinningPolicy in {"dedicated", "isolate_threads", "resize_and_pin_numa"}

concerns contains flag if {
	has_exclusive_cpu_policy
	flag := {
		"category": "Warning",
		"label": "CPU pinning policy",
		"assessment": "The VM uses the dedicated, isolate-threads or resize-and-pin-NUMA CPU pinning policy. The policy is not migrated; to keep exclusive CPUs, enable dedicated CPU placement (and isolate the emulator thread) on the migrated VM, on nodes with the CPU manager enabled.",
	}
}

package io.konveyor.forklift.ovirt

# One I/O thread is the usual setting; more are tuning that is not carried over.
# Reads ioThreads.
has_several_io_threads if {
	is_number(input.ioThreads)
	input.ioThreads > 1
}

concerns contains flag if {
	has_several_io_threads
	flag := {
		"category": "Information",
		"label": "Several I/O threads",
		"assessment": "oVirt runs this VM's disk I/O on more than one I/O thread. The number is not migrated: OpenShift Virtualization assigns I/O threads by the VM's ioThreadsPolicy, which you can set after migration.",
	}
}

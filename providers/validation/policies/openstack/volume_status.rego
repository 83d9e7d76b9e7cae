package io.konveyor.forklift.openstack

# Attached volumes are in-use (available when detached); any other status (error, attaching,
# backing-up, unknown…) means the volume cannot be read now. Reads volumes[].status.
has_unavailable_volume if {
	some volume in input.volumes
	is_string(volume.status)
	not volume.status in {"in-use", "available"}
}

concerns contains flag if {
	has_unavailable_volume
	flag := {
		"category": "Critical",
		"label": "Volume not available",
		"assessment": "A volume of this VM is not in-use or available (for example in error, busy with another operation, or unknown). Its data cannot be copied until Cinder reports it healthy: repair the volume or wait for the operation to finish, then validate again.",
	}
}

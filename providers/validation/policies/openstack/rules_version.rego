package io.konveyor.forklift.openstack

# Raise this whenever a default rule of this package changes: VMs validated with an older
# version are validated again. Custom rules raise the served version by themselves.
rules_version := {"rules_version": 1}

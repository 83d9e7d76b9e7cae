"""OpenStack source provider: Keystone v3 sign-in (five methods), Nova/Cinder/Glance/Neutron inventory."""

"""Provider types → their adapter, imported only when used (providers/adapters/<type>/)."""

from importlib import import_module

from providers.adapters.base import Adapter, ProviderError

ADAPTERS = {
    "vsphere": "providers.adapters.vsphere.adapter.VSphereAdapter",
    "ovirt": "providers.adapters.ovirt.adapter.OvirtAdapter",
    "openstack": "providers.adapters.openstack.adapter.OpenStackAdapter",
    "ova": "providers.adapters.ova.adapter.OvaAdapter",
    "openshift": "providers.adapters.openshift.adapter.OpenShiftAdapter",
}


def adapter_class(provider_type: str) -> type[Adapter]:
    module, _, name = ADAPTERS[provider_type].rpartition(".")
    return getattr(import_module(module), name)


def adapter_for(provider) -> Adapter:
    return adapter_class(provider.type)(provider)


def target_types() -> list[str]:
    """The provider types that can receive migrated VMs (their adapter `is_target`)."""
    return [provider_type for provider_type in ADAPTERS if adapter_class(provider_type).is_target]


def form_class(provider_type: str):
    module, _, name = adapter_class(provider_type).form.rpartition(".")
    return getattr(import_module(module), name)


__all__ = ["Adapter", "ProviderError", "adapter_class", "adapter_for", "form_class", "target_types"]

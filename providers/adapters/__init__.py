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


def types_where(capability: str) -> list[str]:
    """The provider types whose adapter has the capability (a true class attribute), in registry order."""
    return [t for t in ADAPTERS if getattr(adapter_class(t), capability)]


def target_types() -> list[str]:
    """Types a plan may migrate into."""
    return types_where("is_target")


def warm_types() -> list[str]:
    return types_where("supports_warm")


def form_class(provider_type: str):
    module, _, name = adapter_class(provider_type).form.rpartition(".")
    return getattr(import_module(module), name)


__all__ = ["Adapter", "ProviderError", "adapter_class", "adapter_for", "form_class", "target_types",
           "types_where", "warm_types"]

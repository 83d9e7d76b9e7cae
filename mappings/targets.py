"""The target side of the maps, from the target (openshift) provider's inventory.

* `target_networks(provider, user)` — its NetworkAttachmentDefinitions the user may use, as
  `TargetNetwork`s ("namespace/name"); the pod network is not a NAD and is offered by the editors
  themselves.
* `target_storage_classes(provider)` — its storage classes as `StorageClass`es, with the
  default access and volume modes (`mappings.defaults`).
* `default_storage_class(provider)` — the class new disks land in when nobody says otherwise:
  the default class for virtualization, else the cluster's default class, else None.
"""

from __future__ import annotations

from dataclasses import dataclass

from mappings.defaults import Modes, default_modes
from providers.inventory.visible import visible_inventory
from providers.models import InventoryObject, Provider


@dataclass(frozen=True)
class TargetNetwork:
    namespace: str
    name: str

    @property
    def value(self) -> str:
        return f"{self.namespace}/{self.name}"


@dataclass(frozen=True)
class StorageClass:
    name: str
    provisioner: str
    is_default: bool
    is_default_virt: bool
    modes: Modes

    @property
    def label(self) -> str:
        if self.is_default_virt:
            return f"{self.name} (default for virtualization)"
        return f"{self.name} (default)" if self.is_default else self.name


def target_networks(provider: Provider, user=None) -> list[TargetNetwork]:
    """The NADs a user may attach VMs to (those of namespaces where they are an editor:
    providers.inventory.visible); all of them for user=None."""
    nads = visible_inventory(user, provider, InventoryObject, "use").filter(kind="network").values_list("path",
                                                                                                         flat=True)
    result = []
    for path in nads:
        namespace, _, name = path.strip("/").partition("/")
        if namespace and name:
            result.append(TargetNetwork(namespace, name))
    return sorted(result, key=lambda n: (n.namespace, n.name))


def target_storage_classes(provider: Provider) -> list[StorageClass]:
    classes = InventoryObject.objects.filter(provider=provider, kind="storage").order_by("name")
    return [StorageClass(o.name, o.data.get("provisioner", ""), bool(o.data.get("isDefault")),
                         bool(o.data.get("isDefaultVirt")), default_modes(o.data)) for o in classes]


def default_storage_class(provider: Provider) -> StorageClass | None:
    classes = target_storage_classes(provider)
    return (next((c for c in classes if c.is_default_virt), None)
            or next((c for c in classes if c.is_default), None))

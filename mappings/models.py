from django.db import models

from mtvweb.models import NamespacedObject


class ProviderPair(NamespacedObject):
    source_provider = models.ForeignKey("providers.Provider", on_delete=models.PROTECT, related_name="+")
    destination_provider = models.ForeignKey("providers.Provider", on_delete=models.PROTECT, related_name="+")

    class Meta(NamespacedObject.Meta):
        abstract = True


class NetworkMap(ProviderPair):
    """Source networks → pod network or a NetworkAttachmentDefinition (guide §4.5)."""

    class Meta(ProviderPair.Meta):
        pass


class StorageMap(ProviderPair):
    """Source storage → StorageClass with access and volume mode (guide §4.6)."""

    class Meta(ProviderPair.Meta):
        pass

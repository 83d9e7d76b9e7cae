"""Network and storage maps (guide §4.5, §4.6), in the shape of Forklift's NetworkMap and
StorageMap: a pair of providers and a list of source → destination pairs."""

from django.db import models

from mtvweb.models import NamespacedObject


class ProviderPair(NamespacedObject):
    source_provider = models.ForeignKey("providers.Provider", on_delete=models.PROTECT, related_name="+")
    destination_provider = models.ForeignKey("providers.Provider", on_delete=models.PROTECT, related_name="+")

    class Meta(NamespacedObject.Meta):
        abstract = True


class NetworkMap(ProviderPair):
    """Source networks → the pod network or a Multus NetworkAttachmentDefinition."""

    class Meta(ProviderPair.Meta):
        pass


class StorageMap(ProviderPair):
    """Source storage (datastore, storage domain, volume type, storage class, OVA's dummy
    storage) → a StorageClass with its access and volume modes."""

    class Meta(ProviderPair.Meta):
        pass


class NetworkPair(models.Model):
    class Type(models.TextChoices):
        POD = "pod", "Pod network"
        MULTUS = "multus", "NetworkAttachmentDefinition"
        IGNORED = "ignored", "Not migrated"

    map = models.ForeignKey(NetworkMap, on_delete=models.CASCADE, related_name="pairs")
    source_id = models.CharField(max_length=255, help_text="The source network's id in the inventory.")
    source_name = models.CharField(max_length=512, blank=True)
    destination_type = models.CharField(max_length=16, choices=Type.choices, default=Type.POD)
    destination_namespace = models.CharField(max_length=63, blank=True)
    destination_name = models.CharField(max_length=253, blank=True)

    class Meta:
        ordering = ["map", "source_name", "source_id"]
        constraints = [models.UniqueConstraint(fields=["map", "source_id"], name="one_pair_per_source_network")]

    def __str__(self):
        return f"{self.source_name or self.source_id} → {self.destination}"

    @property
    def destination(self) -> str:
        """"pod", "ignored" or "namespace/name" of the NAD: how plan checks name destinations."""
        if self.destination_type == self.Type.MULTUS:
            return f"{self.destination_namespace}/{self.destination_name}"
        return self.destination_type


class StoragePair(models.Model):
    class AccessMode(models.TextChoices):
        RWO = "ReadWriteOnce"
        RWX = "ReadWriteMany"
        ROX = "ReadOnlyMany"

    class VolumeMode(models.TextChoices):
        FILESYSTEM = "Filesystem"
        BLOCK = "Block"

    map = models.ForeignKey(StorageMap, on_delete=models.CASCADE, related_name="pairs")
    source_id = models.CharField(max_length=255, help_text="The source storage's id in the inventory.")
    source_name = models.CharField(max_length=512, blank=True)
    storage_class = models.CharField(max_length=253)
    access_mode = models.CharField(max_length=16, choices=AccessMode.choices, blank=True,
                                   help_text="Empty: from the StorageProfile or the provisioner table (guide §2.2).")
    volume_mode = models.CharField(max_length=16, choices=VolumeMode.choices, blank=True,
                                   help_text="Empty: from the StorageProfile or the provisioner table (guide §2.2).")

    class Meta:
        ordering = ["map", "source_name", "source_id"]
        constraints = [models.UniqueConstraint(fields=["map", "source_id"], name="one_pair_per_source_storage")]

    def __str__(self):
        return f"{self.source_name or self.source_id} → {self.storage_class}"

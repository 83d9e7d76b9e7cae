"""The cached copy of each provider's inventory.

VMs get a table of their own with the columns the VM list filters and sorts on; everything
else (datacenters, clusters, hosts, folders, networks, storage…) shares one table. The
full record served by the inventory API is `data`, in Forklift's field names.
"""

from django.db import models

from mtvweb.access import RestrictedQuerySet


class InventoryBase(models.Model):
    namespace_field = "provider__namespace"

    provider = models.ForeignKey("providers.Provider", on_delete=models.CASCADE, related_name="+")
    uid = models.CharField(max_length=255)
    name = models.CharField(max_length=512)
    path = models.CharField(max_length=2048, blank=True)
    parent_kind = models.CharField(max_length=64, blank=True)
    parent_uid = models.CharField(max_length=255, blank=True)
    revision = models.PositiveBigIntegerField(default=1)
    data = models.JSONField(default=dict)
    # A digest of everything above, so a reload finds what changed without reading `data`.
    digest = models.CharField(max_length=32)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        abstract = True

    def __str__(self):
        return self.name


class InventoryObject(InventoryBase):
    class Kind(models.TextChoices):
        DATACENTER = "datacenter"
        CLUSTER = "cluster"
        HOST = "host"
        FOLDER = "folder"
        NETWORK = "network"
        STORAGE = "storage"


    # The kinds above are the ones every type shares and the console shows; an adapter may
    # store more of its own (oVirt's nicprofile and disk, OpenStack's flavor and image…),
    # named in its `resources` for the inventory API.
    kind = models.CharField(max_length=32)

    class Meta:
        ordering = ["kind", "name"]
        constraints = [models.UniqueConstraint(fields=["provider", "kind", "uid"], name="one_object_per_uid")]
        indexes = [models.Index(fields=["provider", "kind", "name"])]


class VirtualMachine(InventoryBase):
    class Concern(models.IntegerChoices):
        NONE = 0
        INFORMATION = 1
        WARNING = 2
        CRITICAL = 3

    power_state = models.CharField(max_length=32, blank=True)
    host_uid = models.CharField(max_length=255, blank=True)
    cluster_uid = models.CharField(max_length=255, blank=True)
    folder_uid = models.CharField(max_length=255, blank=True)
    # Validation results (the validation issue fills these).
    revision_validated = models.PositiveBigIntegerField(default=0)
    policy_version = models.PositiveIntegerField(default=0)
    concerns = models.JSONField(default=list)
    concern_level = models.PositiveSmallIntegerField(choices=Concern.choices, default=Concern.NONE)
    concern_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["provider", "uid"], name="one_vm_per_uid")]
        indexes = [
            models.Index(fields=["provider", "name"]),
            models.Index(fields=["provider", "power_state", "name"]),
            models.Index(fields=["provider", "concern_level", "name"]),
            models.Index(fields=["provider", "host_uid", "name"]),
            models.Index(fields=["provider", "folder_uid", "name"]),
        ]

from django.db import models
from django.urls import reverse

from mtvweb.access import RestrictedQuerySet
from mtvweb.models import NamespacedObject


class Plan(NamespacedObject):
    """What to migrate, from where to where (Forklift's Plan kind)."""

    description = models.TextField(blank=True)
    source_provider = models.ForeignKey("providers.Provider", on_delete=models.PROTECT, related_name="+")
    destination_provider = models.ForeignKey("providers.Provider", on_delete=models.PROTECT, related_name="+")
    target_namespace = models.CharField(max_length=63)
    warm = models.BooleanField(default=False)
    network_map = models.ForeignKey("mappings.NetworkMap", null=True, blank=True, on_delete=models.PROTECT)
    storage_map = models.ForeignKey("mappings.StorageMap", null=True, blank=True, on_delete=models.PROTECT)
    archived = models.BooleanField(default=False)

    class Meta(NamespacedObject.Meta):
        pass


class RunStatus(models.TextChoices):
    PENDING = "Pending"
    RUNNING = "Running"
    SUCCEEDED = "Succeeded"
    FAILED = "Failed"
    CANCELED = "Canceled"


class Migration(models.Model):
    """One run of a plan (Forklift's Migration kind)."""

    namespace_field = "plan__namespace"

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="migrations")
    status = models.CharField(max_length=16, choices=RunStatus.choices, default=RunStatus.PENDING)
    started = models.DateTimeField(null=True, blank=True)
    completed = models.DateTimeField(null=True, blank=True)
    created = models.DateTimeField(auto_now_add=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-created"]

    def __str__(self):
        return f"{self.plan.name} #{self.pk}"

    def get_absolute_url(self):
        return reverse("plans:plan", args=[self.plan_id])


class MigrationVM(models.Model):
    """One VM's journey within a migration."""

    namespace_field = "migration__plan__namespace"

    migration = models.ForeignKey(Migration, on_delete=models.CASCADE, related_name="vms")
    vm_id = models.CharField(max_length=255)
    name = models.CharField(max_length=255)
    status = models.CharField(max_length=16, choices=RunStatus.choices, default=RunStatus.PENDING)
    phase = models.CharField(max_length=64, blank=True)
    error = models.TextField(blank=True)
    started = models.DateTimeField(null=True, blank=True)
    completed = models.DateTimeField(null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["migration", "name"]
        constraints = [models.UniqueConstraint(fields=["migration", "vm_id"], name="one_entry_per_vm_and_migration")]

    def __str__(self):
        return self.name

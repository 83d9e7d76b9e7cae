import uuid

from django.db import models

from mtvweb.models import NamespacedObject
from mtvweb.roles import ADMIN


class Provider(NamespacedObject):
    """A source or target endpoint (Forklift's Provider kind)."""

    class Type(models.TextChoices):
        VSPHERE = "vsphere", "VMware vSphere"
        OVIRT = "ovirt", "Red Hat Virtualization"
        OPENSTACK = "openstack", "OpenStack"
        OVA = "ova", "Open Virtual Appliance (OVA)"
        OPENSHIFT = "openshift", "OpenShift Virtualization"

    class Status(models.TextChoices):
        STAGING = "Staging"
        READY = "Ready"
        CONNECTION_FAILED = "ConnectionFailed"
        VALIDATION_FAILED = "ValidationFailed"

    # Creating and changing providers needs the namespace's admin role (guide §5.1).
    access_rules = {"add": ADMIN, "change": ADMIN, "delete": ADMIN}
    shared_in_operator_namespace = True

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    type = models.CharField(max_length=16, choices=Type.choices)
    url = models.CharField("URL", max_length=2048, blank=True)
    # Type-specific settings by their Forklift names: vddkInitImage, sdkEndpoint, transferNetwork…
    settings = models.JSONField(default=dict, blank=True)
    secret = models.OneToOneField("providers.Secret", null=True, blank=True, on_delete=models.SET_NULL)
    status = models.CharField(max_length=32, choices=Status.choices, default=Status.STAGING)
    status_message = models.TextField(blank=True)
    # Inventory bookkeeping, kept by providers.inventory.store.
    revision = models.PositiveBigIntegerField(default=0)
    counts = models.JSONField(default=dict, blank=True)
    last_refresh = models.DateTimeField(null=True, blank=True)
    refresh_requested = models.DateTimeField(null=True, blank=True)

    class Meta(NamespacedObject.Meta):
        pass

    def credentials(self) -> dict:
        return self.secret.reveal() if self.secret_id else {}

    def set_credentials(self, data: dict) -> None:
        from providers.models.secret import Secret

        secret = self.secret or Secret()
        secret.store(data)
        secret.save()
        self.secret = secret

    def delete(self, *args, **kwargs):
        secret = self.secret
        result = super().delete(*args, **kwargs)
        if secret is not None:
            secret.delete()
        return result

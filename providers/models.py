import uuid

from django.db import models

from mtvweb.access import ADMIN
from mtvweb.models import NamespacedObject


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

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    type = models.CharField(max_length=16, choices=Type.choices)
    url = models.CharField("URL", max_length=2048, blank=True)
    status = models.CharField(max_length=32, choices=Status.choices, default=Status.STAGING)
    status_message = models.TextField(blank=True)

    class Meta(NamespacedObject.Meta):
        pass

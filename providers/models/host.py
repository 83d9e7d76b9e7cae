from django.db import models

from mtvweb.access import RestrictedQuerySet
from mtvweb.roles import ADMIN


class Host(models.Model):
    """Which address of an ESXi host disks are read through (Forklift's Host kind, guide §5.3)."""

    namespace_field = "provider__namespace"
    access_rules = {"add": ADMIN, "change": ADMIN, "delete": ADMIN}

    provider = models.ForeignKey("providers.Provider", on_delete=models.CASCADE, related_name="host_settings")
    host_id = models.CharField(max_length=255)
    ip_address = models.GenericIPAddressField("Migration network address")
    secret = models.OneToOneField("providers.Secret", null=True, blank=True, on_delete=models.SET_NULL)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["provider", "host_id"], name="one_host_setting_per_host")]

    def __str__(self):
        return f"{self.host_id} via {self.ip_address}"

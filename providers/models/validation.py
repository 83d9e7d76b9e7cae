from django.conf import settings
from django.db import models

from mtvweb.roles import ADMIN
from providers.models.provider import Provider


class ValidationRule(models.Model):
    """A custom Rego rule an admin added to a provider type's policy (guide §6.2)."""

    # Rules affect every namespace: only cluster admins may change them (there is no namespace).
    access_rules = {"view": ADMIN, "add": ADMIN, "change": ADMIN, "delete": ADMIN}

    provider_type = models.CharField(max_length=16, choices=Provider.Type.choices)
    name = models.SlugField(max_length=100, help_text="Becomes the rule's file name, e.g. multiple_disks.")
    description = models.CharField(max_length=500, blank=True)
    source = models.TextField(help_text="Rego v1, in the package of the provider type.")
    enabled = models.BooleanField(default=True)
    updated = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)

    class Meta:
        ordering = ["provider_type", "name"]
        constraints = [models.UniqueConstraint(fields=["provider_type", "name"], name="one_rule_per_name")]

    def __str__(self):
        return f"{self.provider_type}/{self.name}"


class RuleSet(models.Model):
    """How many times a provider type's custom rules changed; rules_version = default + this."""

    provider_type = models.CharField(max_length=16, unique=True)
    changes = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"{self.provider_type}: {self.changes} changes"

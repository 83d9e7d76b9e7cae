from django.conf import settings
from django.db import models
from django.urls import reverse

from mtvweb.access import RestrictedQuerySet
from mtvweb.roles import NamespaceRole  # noqa: F401 - a model of this app, registered from here
from mtvweb.validators import validate_namespace_name, validate_object_name


class NamespacedObject(models.Model):
    """Base of every object that lives in a namespace, like a Forklift custom resource."""

    name = models.CharField(max_length=253, validators=[validate_object_name])
    namespace = models.CharField(max_length=63, validators=[validate_namespace_name])
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["namespace", "name"]
        constraints = [
            models.UniqueConstraint(fields=["namespace", "name"], name="%(app_label)s_%(class)s_unique_name"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse(f"{self._meta.app_label}:{self._meta.model_name}", args=[self.pk])


class Namespace(models.Model):
    """A project (Kubernetes namespace) that plans and maps live in."""

    name = models.CharField(max_length=63, unique=True, validators=[validate_namespace_name])
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class ApiToken(models.Model):
    """A personal token for the REST API (`Authorization: Bearer <token>`). Only a hash is kept."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=8, help_text="The first characters, to tell tokens apart.")
    key_hash = models.CharField(max_length=64, unique=True)
    created = models.DateTimeField(auto_now_add=True)
    last_used = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["user", "name"]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def hash(key: str) -> str:
        import hashlib

        return hashlib.sha256(key.encode()).hexdigest()

    @classmethod
    def issue(cls, user, name: str) -> tuple["ApiToken", str]:
        """Create a token; the key is returned once and never stored."""
        import secrets

        key = secrets.token_urlsafe(32)
        return cls.objects.create(user=user, name=name, prefix=key[:8], key_hash=cls.hash(key)), key


class AuthFailure(models.Model):
    """One failed login or API token, kept for a minute: mtvweb.throttle counts them."""

    key = models.CharField(max_length=300, db_index=True, help_text="user:<name> or address:<IP>")
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    def __str__(self):
        return f"{self.key} at {self.at}"

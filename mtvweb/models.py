from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse

from mtvweb.access import ROLE_CHOICES, RestrictedQuerySet
from mtvweb.validators import validate_namespace_name, validate_object_name, validate_quantity


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


class NamespaceRole(models.Model):
    """A non-admin user's role in one namespace (guide §5.1)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="namespace_roles")
    namespace = models.CharField(max_length=63, validators=[validate_namespace_name])
    role = models.CharField(max_length=16, choices=ROLE_CHOICES)

    class Meta:
        ordering = ["namespace", "user__username"]
        constraints = [models.UniqueConstraint(fields=["user", "namespace"], name="one_role_per_user_and_namespace")]

    def __str__(self):
        return f"{self.user} is {self.role} in {self.namespace}"


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


class ControllerSettings(models.Model):
    """The settings of the guide's §4.3 / §3.3, one row; the engine reads `ControllerSettings.current()`."""

    max_vm_inflight = models.PositiveIntegerField(
        "Maximum concurrent VM migrations",
        default=20,
        validators=[MinValueValidator(1), MaxValueValidator(1000)],
        help_text="Most VMs of one plan that migrate at the same time.",
    )
    max_vm_per_host = models.PositiveIntegerField(
        "Maximum concurrent VM migrations per source host",
        default=10,
        validators=[MinValueValidator(1), MaxValueValidator(1000)],
        help_text="Most VMs of one ESXi or oVirt host copied at the same time, across plans (MTV's performance "
                  "guide found about 10 the useful maximum).",
    )
    must_gather_cleanup_hours = models.PositiveIntegerField(
        "Must gather cleanup after (hours)",
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text="Log archives older than this are deleted. Empty: disabled (kept until removed by hand).",
    )
    controller_cpu_limit = models.CharField(
        "Controller main container CPU limit", max_length=16, default="500m", validators=[validate_quantity],
        help_text="CPU limit of the controller's main container.",
    )
    controller_memory_limit = models.CharField(
        "Controller main container memory limit", max_length=16, default="800Mi", validators=[validate_quantity],
        help_text="Memory limit of the controller's main container.",
    )
    precopy_interval_minutes = models.PositiveIntegerField(
        "Precopy interval (minutes)", default=60, validators=[MinValueValidator(1)],
        help_text="How often warm migration takes a new snapshot before cutover.",
    )
    snapshot_polling_seconds = models.PositiveIntegerField(
        "Snapshot polling interval (seconds)", default=10, validators=[MinValueValidator(1)],
        help_text="How often warm migration checks whether a snapshot was created or removed.",
    )
    filesystem_overhead_percent = models.PositiveIntegerField(
        "Filesystem overhead (%)", default=10, validators=[MaxValueValidator(100)],
        help_text="Extra space added to Filesystem-mode volumes for the file system's own needs.",
    )
    block_overhead = models.CharField(
        "Block overhead", max_length=16, default="0", validators=[validate_quantity],
        help_text="Fixed extra space added to every Block-mode volume, such as 0 or 1Gi.",
    )
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "settings"
        verbose_name_plural = "settings"

    EDITABLE = [
        "max_vm_inflight",
        "max_vm_per_host",
        "must_gather_cleanup_hours",
        "controller_cpu_limit",
        "controller_memory_limit",
        "precopy_interval_minutes",
        "snapshot_polling_seconds",
        "filesystem_overhead_percent",
        "block_overhead",
    ]

    def __str__(self):
        return "Settings"

    @classmethod
    def current(cls) -> "ControllerSettings":
        obj, _ = cls.objects.get_or_create(pk=1)
        return obj

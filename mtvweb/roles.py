"""The roles a non-admin user holds per namespace (guide §5.1), and the records that grant them.
mtvweb.access decides what each role may do."""

from django.conf import settings
from django.db import models

from mtvweb.validators import validate_namespace_name

VIEWER, EDITOR, ADMIN = "viewer", "editor", "admin"
ROLES = [VIEWER, EDITOR, ADMIN]
ROLE_CHOICES = [(VIEWER, "Viewer"), (EDITOR, "Editor"), (ADMIN, "Admin")]


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

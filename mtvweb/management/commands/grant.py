import secrets

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from mtvweb.models import Namespace, NamespaceRole
from mtvweb.roles import ROLES
from mtvweb.validators import validate_namespace_name

CLUSTER_ADMIN = "cluster-admin"
REVOKE = "none"


class Command(BaseCommand):
    help = (
        "Give USER a ROLE (viewer, editor, admin) in NAMESPACE, creating the user if needed; "
        f"'{CLUSTER_ADMIN}' (no namespace) makes USER an admin of everything; '{REVOKE}' removes the role."
    )

    def add_arguments(self, parser):
        parser.add_argument("user")
        parser.add_argument("role", choices=[*ROLES, CLUSTER_ADMIN, REVOKE])
        parser.add_argument("namespace", nargs="?")
        parser.add_argument("--password", help="set this password (a new user without one gets a generated one)")

    @transaction.atomic
    def handle(self, user, role, namespace, password, **options):
        if role != CLUSTER_ADMIN:
            if not namespace:
                raise CommandError(f"Name the namespace: manage.py grant {user} {role} <namespace>")
            try:
                validate_namespace_name(namespace)
            except ValidationError as exc:
                raise CommandError(exc.messages[0]) from None
        account, created = get_user_model().objects.get_or_create(username=user)
        if created and not password:
            password = secrets.token_urlsafe(12)
            self.stdout.write(f"Created user {user} with password: {password}")
        elif created:
            self.stdout.write(f"Created user {user}")
        if password:
            try:
                validate_password(password, user=account)  # settings.AUTH_PASSWORD_VALIDATORS
            except ValidationError as exc:
                raise CommandError(f"The password is refused: {' '.join(exc.messages)}") from None
            account.set_password(password)
        if role == CLUSTER_ADMIN:
            account.is_superuser = account.is_staff = True
            account.save()
            self.stdout.write(f"{user} is now a cluster admin")
            return
        account.save()
        if role == REVOKE:
            deleted, _ = NamespaceRole.objects.filter(user=account, namespace=namespace).delete()
            self.stdout.write(f"{user} has no role in {namespace}" + ("" if deleted else " (had none)"))
            return
        Namespace.objects.get_or_create(name=namespace)
        NamespaceRole.objects.update_or_create(user=account, namespace=namespace, defaults={"role": role})
        self.stdout.write(f"{user} is now {role} in {namespace}")

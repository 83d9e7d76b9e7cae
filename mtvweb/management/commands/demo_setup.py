"""Prepare the demo: an admin login, a namespace user, and one provider per lab source,
created through the same forms (and connection tests) a user goes through."""

import json
import secrets
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from mtvweb.models import Namespace, NamespaceRole
from providers.adapters import form_class
from providers.adapters.openshift.host import ensure_host_provider
from providers.models import Provider

DEMO_NAMESPACE = "mtv-demo"


# Each lab part that stands for a source (lab.json key, also its provider type) → the provider form's
# data from that part's record (keys in lab/<part>/README.md).
LAB_SOURCES = {
    "vsphere": lambda vs: {"name": "vcenter", "url": vs["url"], "user": vs["user"], "password": vs["password"],
                           "thumbprint": vs["thumbprint"], "insecure_skip_verify": "on"},
    "ovirt": lambda ov: {"name": "rhv", "url": ov["url"], "user": ov["user"], "password": ov["password"],
                         "cacert": Path(ov["ca_file"]).read_text()},
    "openstack": lambda osp: {"name": "openstack", "url": osp["auth_url"], "auth_method": "password",
                              "username": osp["user_name"], "password": osp["password"],
                              "domain_name": osp["domain_name"], "project_name": osp["project_name"],
                              "region_name": osp["region"], "cacert": Path(osp["ca_file"]).read_text()},
    "ova": lambda ova: {"name": "ova-share", "url": ova["nfs_url"]},
}


def lab_provider_forms(lab: dict) -> list[tuple[str, dict]]:
    """(type, form data) for the lab parts that are up."""
    return [(part, form_data(lab[part])) for part, form_data in LAB_SOURCES.items() if lab.get(part)]


class Command(BaseCommand):
    help = "Create the demo's users and register the lab's sources as providers; prints the logins."

    def add_arguments(self, parser):
        parser.add_argument("--lab-state", required=True, help="path of the lab's lab.json")

    @transaction.atomic
    def handle(self, lab_state, **options):
        password_file = Path(settings.DATA_DIR) / "demo-password"
        if not password_file.exists():
            password_file.write_text(secrets.token_urlsafe(9))
            password_file.chmod(0o600)
        password = password_file.read_text().strip()
        users = get_user_model().objects
        admin, _ = users.get_or_create(username="admin", defaults={"is_superuser": True, "is_staff": True})
        alice, _ = users.get_or_create(username="alice")
        for user in (admin, alice):
            user.set_password(password)
            user.save()
        for namespace in (DEMO_NAMESPACE, settings.MTVWEB_NAMESPACE):
            Namespace.objects.get_or_create(name=namespace)
        NamespaceRole.objects.update_or_create(user=alice, namespace=DEMO_NAMESPACE, defaults={"role": "editor"})

        ensure_host_provider()
        lab = json.loads(Path(lab_state).read_text())
        for provider_type, data in lab_provider_forms(lab):
            data["namespace"] = settings.MTVWEB_NAMESPACE
            instance = Provider.objects.filter(namespace=data["namespace"], name=data["name"]).first() or Provider()
            form = form_class(provider_type)(data, instance=instance, user=admin, namespaces=None)
            if not form.is_valid():
                raise CommandError(f"The lab's {provider_type} provider was refused: {form.errors.as_text()}")
            form.save()
        self.stdout.write(json.dumps({"password": password, "users": ["admin", "alice"]}))

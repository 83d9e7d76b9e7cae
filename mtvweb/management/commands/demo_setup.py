"""Prepare the demo: an admin login, a namespace user, and one provider per lab source."""

import json
import secrets
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

from mtvweb.models import Namespace, NamespaceRole
from providers.models import Provider

DEMO_NAMESPACE = "mtv-demo"


def lab_providers(lab: dict) -> list[dict]:
    """Provider rows for the lab parts that are up (the record format is lab/<part>/README.md's)."""
    rows = []
    if "vsphere" in lab:
        rows.append({"name": "vcenter", "type": Provider.Type.VSPHERE, "url": lab["vsphere"]["url"]})
    if "ovirt" in lab:
        rows.append({"name": "rhv", "type": Provider.Type.OVIRT, "url": lab["ovirt"]["url"]})
    if "openstack" in lab:
        rows.append({"name": "openstack", "type": Provider.Type.OPENSTACK, "url": lab["openstack"]["auth_url"]})
    if "ova" in lab:
        rows.append({"name": "ova-share", "type": Provider.Type.OVA, "url": lab["ova"]["nfs_url"]})
    if "kube" in lab:
        rows.append({"name": "host", "type": Provider.Type.OPENSHIFT, "url": ""})
    return rows


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
        Namespace.objects.get_or_create(name=DEMO_NAMESPACE)
        NamespaceRole.objects.update_or_create(user=alice, namespace=DEMO_NAMESPACE, defaults={"role": "editor"})

        lab = json.loads(Path(lab_state).read_text())
        for row in lab_providers(lab):
            Provider.objects.update_or_create(namespace=DEMO_NAMESPACE, name=row["name"], defaults=row)
        self.stdout.write(json.dumps({"password": password, "users": ["admin", "alice"]}))

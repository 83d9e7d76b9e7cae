"""Prepare the demo: an admin login, a namespace user, one provider per lab source, created
through the same forms (and connection tests) a user goes through, and a sample plan that shows
how the lab's VMs migrate: their disks hold no guest, so the plan skips guest conversion."""

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
SAMPLE_PLAN, SAMPLE_VM = "demo-raw-copy", "mtv-rhel8-nocbt"


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
        vcenter = Provider.objects.filter(namespace=settings.MTVWEB_NAMESPACE, name="vcenter").first()
        if vcenter is not None:
            try:
                with transaction.atomic():
                    sample_plan(admin, vcenter, ensure_host_provider())
            except Exception as exc:  # noqa: BLE001 - the demo runs without it; say why
                self.stderr.write(f"The sample plan {SAMPLE_PLAN} was not made: {exc}")
        self.stdout.write(json.dumps({"password": password, "users": ["admin", "alice"]}))


def sample_plan(admin, source: Provider, host: Provider):
    """A plan in the demo project for one of the lab's vSphere VMs, its maps suggested as the wizard
    suggests them, with skip guest conversion set: virt-v2v would refuse a disk without a guest."""
    from kubernetes import client
    from kubernetes.client.rest import ApiException

    from mappings.kinds import KINDS
    from plans import writer
    from plans.models import Plan
    from providers.adapters import adapter_for
    from providers.inventory.store import InventoryStore
    from providers.kube import cluster_api
    from providers.models import VirtualMachine

    if Plan.objects.filter(namespace=DEMO_NAMESPACE, name=SAMPLE_PLAN).exists():
        return
    for provider in (host, source):  # the inventory service would load them a moment later
        InventoryStore(provider).load(adapter_for(provider).collector())
    vm = VirtualMachine.objects.get(provider=source, name=SAMPLE_VM)
    maps = {kind.plan_field: writer.NewMap(name=f"{SAMPLE_PLAN}-{name}", pairs=kind.suggest(
        source, host, kind.used(source, [vm.uid]), DEMO_NAMESPACE, user=admin)) for name, kind in KINDS.items()}
    for pair in maps["network_map"].pairs:
        pair.destination_type = pair.destination_type or "pod"  # no NAD of that name: the pod network
    try:
        client.CoreV1Api(cluster_api(host)).create_namespace({"metadata": {"name": DEMO_NAMESPACE}})
    except ApiException as exc:
        if exc.status != 409:  # 409: it is there already
            raise
    writer.save(admin, writer.PlanInput(
        name=SAMPLE_PLAN, namespace=DEMO_NAMESPACE, source=source, destination=host, target_namespace=DEMO_NAMESPACE,
        vms=[writer.VMChoice(vm=vm)], skip_guest_conversion=True, **maps,
        description="The lab's VMs have disks without a guest, which virt-v2v refuses: this plan copies them raw."))

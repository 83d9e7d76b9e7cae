"""manage.py provider — providers from the command line, through the console's own forms.

    manage.py provider list
    manage.py provider create vsphere vcenter openshift-mtv url=https://vc.example.com/sdk \\
        user=admin@vsphere.local password=- thumbprint=AA:BB:… insecure_skip_verify=on
    manage.py provider update openshift-mtv/vcenter password=-
    manage.py provider test openshift-mtv/vcenter
    manage.py provider refresh openshift-mtv/vcenter
    manage.py provider delete openshift-mtv/vcenter

A value `-` is read from standard input (so a password stays out of the shell history) and
`@path` from a file (e.g. cacert=@ca.pem). The connection is tested before anything is saved.
"""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db.models import ProtectedError
from django.utils import timezone

from providers.adapters import ProviderError, adapter_for, form_class
from providers.models import Provider


def parse_fields(pairs: list[str]) -> dict:
    data = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep:
            raise CommandError(f"Write fields as name=value, not {pair!r}.")
        if value == "-":
            value = sys.stdin.readline().rstrip("\n")
        elif value.startswith("@"):
            value = Path(value[1:]).read_text()
        data[key] = value
    return data


def find(ref: str) -> Provider:
    namespace, _, name = ref.rpartition("/")
    provider = Provider.objects.filter(namespace=namespace, name=name).first() if namespace else None
    if provider is None:
        raise CommandError(f"No provider {ref}; name it as <namespace>/<name> (see: manage.py provider list).")
    return provider


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["list", "create", "update", "test", "refresh", "delete"])
        parser.add_argument("words", nargs="*", help="what the action takes (see above)")

    def handle(self, *args, action, words, **options):
        getattr(self, action)(*words)

    def list(self):
        for p in Provider.objects.order_by("namespace", "name"):
            counts = p.counts or {}
            self.stdout.write(f"{p.namespace}/{p.name}\t{p.type}\t{p.status}\t{counts.get('vm', 0)} VMs\t"
                              f"{p.url or '(host cluster)'}\t{p.status_message}")

    def save(self, provider_type, instance, data):
        form = form_class(provider_type)(data, instance=instance, user=None, namespaces=None)
        if not form.is_valid():
            messages = [f"{field}: {' '.join(errors)}" if field != "__all__" else " ".join(errors)
                        for field, errors in form.errors.items()]
            raise CommandError("\n".join(messages))
        provider = form.save()
        self.stdout.write(f"saved {provider.namespace}/{provider.name}")

    def create(self, provider_type=None, name=None, namespace=None, *fields):
        if provider_type not in Provider.Type.values or not name or not namespace:
            raise CommandError(f"Usage: provider create <{'|'.join(Provider.Type.values)}> <name> <namespace> "
                               "field=value …")
        self.save(provider_type, Provider(), {"name": name, "namespace": namespace, **parse_fields(fields)})

    def update(self, ref=None, *fields):
        provider = find(ref or "")
        cls = form_class(provider.type)
        stored = provider.credentials()
        data = {"name": provider.name, "namespace": provider.namespace, "url": provider.url}
        data.update({f: stored.get(k, "") for f, k in cls.credential_fields.items()})
        data.update({f: provider.settings.get(k, "") for f, k in cls.setting_fields.items()})
        data = {k: ("on" if v == "true" else v) for k, v in data.items() if v not in ("false", None)}
        self.save(provider.type, provider, {**data, **parse_fields(fields)})

    def test(self, ref=None):
        provider = find(ref or "")
        try:
            adapter_for(provider).test_connection()
        except ProviderError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(f"connected to {provider.namespace}/{provider.name}")

    def refresh(self, ref=None):
        provider = find(ref or "")
        Provider.objects.filter(pk=provider.pk).update(refresh_requested=timezone.now())
        self.stdout.write(f"the inventory service reloads {provider.namespace}/{provider.name}")

    def delete(self, ref=None):
        provider = find(ref or "")
        try:
            provider.delete()
        except ProtectedError as exc:
            users = ", ".join(sorted({str(o) for o in exc.protected_objects}))
            raise CommandError(f"{ref} is still used by {users}; remove those first.") from None
        self.stdout.write(f"deleted {ref}")

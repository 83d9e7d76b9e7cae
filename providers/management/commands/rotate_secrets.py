"""Re-encrypt every stored credential with the newest key (providers/secrets.py explains rotation)."""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from providers import secrets
from providers.models import Secret


class Command(BaseCommand):
    help = ("Re-encrypt every stored credential with the first (newest) key of MTVWEB_ENCRYPTION_KEYS; "
            "afterwards the keys after it may be removed.")

    def handle(self, **options):
        with transaction.atomic():
            stored = Secret.objects.select_for_update().exclude(ciphertext=b"").order_by("pk")
            for secret in stored:
                try:
                    ciphertext = secrets.rotate(secret.ciphertext)
                except secrets.SecretUnreadable as exc:
                    raise CommandError(f"Secret {secret.pk}: {exc} Nothing was changed.") from None
                Secret.objects.filter(pk=secret.pk).update(ciphertext=ciphertext)
            count = len(stored)
        self.stdout.write(f"Re-encrypted {count} stored credential(s) with the newest key; the other keys of "
                          "MTVWEB_ENCRYPTION_KEYS may now be removed.")

"""`manage.py rotate_secrets`: with a new key first in MTVWEB_ENCRYPTION_KEYS, every stored credential
is written again with it, after which the old key can go and every credential still reads."""

import pytest
from cryptography.fernet import Fernet
from django.core.management import CommandError, call_command

from providers.models import Provider, Secret
from providers.secrets import SecretUnreadable
from tests.factories import ProviderFactory

pytestmark = [pytest.mark.django_db, pytest.mark.smoke]


def test_after_rotation_the_old_key_can_be_removed(settings, capsys):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.MTVWEB_ENCRYPTION_KEYS = [old]
    providers = [ProviderFactory(name=f"p{n}") for n in range(3)]
    for n, provider in enumerate(providers):
        provider.set_credentials({"user": f"user{n}", "password": f"password-{n}"})
        provider.save()
    settings.MTVWEB_ENCRYPTION_KEYS = [new, old]
    call_command("rotate_secrets")
    assert "Re-encrypted 3 stored credential(s)" in capsys.readouterr().out
    settings.MTVWEB_ENCRYPTION_KEYS = [new]
    stored = [Provider.objects.get(pk=p.pk).credentials()["password"] for p in providers]
    assert stored == ["password-0", "password-1", "password-2"]


def test_a_credential_no_key_reads_stops_the_rotation_and_changes_nothing(settings):
    lost, old, new = (Fernet.generate_key().decode() for _ in range(3))
    settings.MTVWEB_ENCRYPTION_KEYS = [lost]
    orphan = ProviderFactory(name="orphan")
    orphan.set_credentials({"password": "unreadable"})
    orphan.save()
    settings.MTVWEB_ENCRYPTION_KEYS = [old]
    kept = ProviderFactory(name="kept")
    kept.set_credentials({"password": "readable"})
    kept.save()
    before = {s.pk: bytes(s.ciphertext) for s in Secret.objects.all()}
    settings.MTVWEB_ENCRYPTION_KEYS = [new, old]
    with pytest.raises(CommandError, match=f"Secret {orphan.secret_id}: .*add back the key"):
        call_command("rotate_secrets")
    assert {s.pk: bytes(s.ciphertext) for s in Secret.objects.all()} == before
    settings.MTVWEB_ENCRYPTION_KEYS = [new]  # so the old key must stay
    with pytest.raises(SecretUnreadable):
        Provider.objects.get(pk=kept.pk).credentials()

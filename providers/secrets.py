"""Encryption at rest for provider credentials.

Keys are Fernet keys from settings.MTVWEB_ENCRYPTION_KEYS, newest first. Values encrypted
with any listed key can be read; new values use the first. To rotate: put a new key first,
keep the old ones after it, run `manage.py rotate_secrets`, then drop the old keys.
"""

import json
from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings


class SecretUnreadable(Exception):
    pass


@cache
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(k.encode()) for k in keys])


def fernet() -> MultiFernet:
    return _fernet(tuple(settings.MTVWEB_ENCRYPTION_KEYS))


def encrypt(data: dict) -> bytes:
    return fernet().encrypt(json.dumps(data, sort_keys=True).encode())


def decrypt(token: bytes) -> dict:
    try:
        return json.loads(fernet().decrypt(bytes(token)))
    except InvalidToken:
        raise SecretUnreadable(
            "A stored credential cannot be decrypted with the configured MTVWEB_ENCRYPTION_KEYS; "
            "add back the key it was written with."
        ) from None


def rotate(token: bytes) -> bytes:
    """The same value encrypted with the newest key."""
    try:
        return fernet().rotate(bytes(token))
    except InvalidToken:
        raise SecretUnreadable(
            "A stored credential cannot be decrypted with the configured MTVWEB_ENCRYPTION_KEYS; "
            "add back the key it was written with."
        ) from None

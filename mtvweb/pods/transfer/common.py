"""What every part of the transfer Pod shares: the error type, log lines on stderr, and the
scrubbing that keeps credentials out of everything printed."""

from __future__ import annotations

import sys

MIB = 1 << 20


class TransferError(Exception):
    """A failure with a one-line message for the user (stderr and the termination message)."""


class Interrupted(BaseException):
    """SIGTERM or SIGINT arrived: the Pod is being stopped."""


_secrets: set[str] = set()


def add_secret(value: str | None, cookie: bool = False) -> None:
    """Never print `value` (a password; a Cookie header and each of its values)."""
    if not value:
        return
    _secrets.add(value)
    if cookie:  # name=value; name2=value2
        for part in value.split(";"):
            secret = part.partition("=")[2].strip()
            if len(secret) >= 4:
                _secrets.add(secret)


def redact(text: str) -> str:
    for secret in sorted(_secrets, key=len, reverse=True):
        text = text.replace(secret, "***")
    return text


def log(message: str) -> None:
    print(redact(message), file=sys.stderr, flush=True)


def mib(n: int) -> str:
    return f"{n / MIB:.1f} MiB"


def new_hasher():
    """BLAKE3 on every core for large updates: hashing must not be what limits a copy."""
    import blake3

    return blake3.blake3(max_threads=blake3.blake3.AUTO)

"""At most settings.MTVWEB_AUTH_FAILURES_PER_MINUTE failed logins per user name and per client
address, and as many unknown API tokens per address, in any minute; past that, those requests are
answered 429 until the oldest failure is a minute old. Failures are rows of the database (AuthFailure),
so every web process counts the same ones. The address is REMOTE_ADDR, or behind the proxy that ends
TLS (settings.SECURE_PROXY_SSL_HEADER is set) the last address of X-Forwarded-For, which that proxy
adds: otherwise every user would share the proxy's address."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from mtvweb.models import AuthFailure

WINDOW = timedelta(minutes=1)


def client_address(request) -> str:
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if getattr(settings, "SECURE_PROXY_SSL_HEADER", None) and forwarded.strip():
        return forwarded.split(",")[-1].strip()[:100]
    return request.META.get("REMOTE_ADDR", "")


def keys(request, username: str | None = None) -> list[str]:
    found = [f"address:{client_address(request)}"]
    if username:
        found.append(f"user:{username.strip().lower()[:250]}")
    return found


def wait_seconds(keys: list[str]) -> int:
    """0 when another attempt may be made now; else how many seconds until one may."""
    since = timezone.now() - WINDOW
    for key in keys:
        recent = AuthFailure.objects.filter(key=key, at__gte=since).order_by("-at").values_list("at", flat=True)
        times = list(recent[:settings.MTVWEB_AUTH_FAILURES_PER_MINUTE])
        if len(times) >= settings.MTVWEB_AUTH_FAILURES_PER_MINUTE:
            return max(1, int((times[-1] + WINDOW - timezone.now()).total_seconds()) + 1)
    return 0


def record_failure(keys: list[str]) -> None:
    AuthFailure.objects.filter(at__lt=timezone.now() - WINDOW).delete()
    AuthFailure.objects.bulk_create(AuthFailure(key=key) for key in keys)


def message(seconds: int) -> str:
    return (f"Too many failed attempts from this address or for this user: wait {seconds} seconds, then try "
            "again.")

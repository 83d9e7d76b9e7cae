"""A bounded number of failed logins per user name and per address, and of unknown API tokens per
address, in any minute: past it, 429 with a message and Retry-After, until the failures are a minute
old (their times are moved back here instead of waiting)."""

from datetime import timedelta

import pytest
from django.urls import reverse

from mtvweb.models import ApiToken, AuthFailure
from tests.factories import PASSWORD

pytestmark = [pytest.mark.django_db, pytest.mark.smoke]


@pytest.fixture
def limit(settings):
    settings.MTVWEB_AUTH_FAILURES_PER_MINUTE = 3
    return 3


def log_in(client, username, password, address="192.0.2.1"):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address)


def a_minute_passes():
    for failure in AuthFailure.objects.all():
        AuthFailure.objects.filter(pk=failure.pk).update(at=failure.at - timedelta(seconds=61))


def test_failed_logins_are_bounded_per_user_and_address(client, people, limit):
    for _ in range(limit):
        assert log_in(client, "viewer", "wrong").status_code == 200
    refused = log_in(client, "viewer", PASSWORD)  # even the right password waits
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    assert "Too many failed attempts" in refused.content.decode()
    assert log_in(client, "editor", PASSWORD).status_code == 429  # the same address
    assert log_in(client, "viewer", PASSWORD, address="198.51.100.7").status_code == 429  # the same user
    assert log_in(client, "editor", PASSWORD, address="198.51.100.7").status_code == 302  # neither
    a_minute_passes()
    assert log_in(client, "viewer", PASSWORD).status_code == 302


def test_unknown_api_tokens_are_bounded_per_address(client, people, limit):
    _, key = ApiToken.issue(people["viewer"], "cli")
    for _ in range(limit):
        assert client.get("/api/plans/", HTTP_AUTHORIZATION="Bearer guessed", REMOTE_ADDR="192.0.2.1").status_code == 401
    refused = client.get("/api/plans/", HTTP_AUTHORIZATION=f"Bearer {key}", REMOTE_ADDR="192.0.2.1")
    assert refused.status_code == 429 and "Too many failed attempts" in refused.json()["detail"]
    assert client.get("/api/plans/", HTTP_AUTHORIZATION=f"Bearer {key}", REMOTE_ADDR="198.51.100.7").status_code == 200
    a_minute_passes()
    assert client.get("/api/plans/", HTTP_AUTHORIZATION=f"Bearer {key}", REMOTE_ADDR="192.0.2.1").status_code == 200


def test_behind_the_tls_proxy_the_forwarded_address_counts(client, people, limit, settings):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    proxy = {"REMOTE_ADDR": "10.0.0.1", "HTTP_X_FORWARDED_PROTO": "https"}
    for _ in range(limit):
        client.post(reverse("login"), {"username": "nobody", "password": "x"}, HTTP_X_FORWARDED_FOR="192.0.2.1",
                    **proxy, secure=True)
    other_user = client.post(reverse("login"), {"username": "viewer", "password": PASSWORD},
                             HTTP_X_FORWARDED_FOR="203.0.113.9", **proxy, secure=True)
    assert other_user.status_code == 302  # another client behind the same proxy is not held up

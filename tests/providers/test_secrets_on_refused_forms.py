"""A refused provider form (status 422, re-rendered with the errors) never echoes a secret the user
typed: not when another field is wrong, not when the connection test fails, not on the edit form of a
provider that already has secrets stored. Every type with secret fields is covered; no lab needed
(the connection test is refused by a closed port)."""

import secrets

import pytest
from django.urls import reverse

from providers.adapters import form_class
from providers.models import Provider, Secret
from tests.providers.helpers import closed_port

pytestmark = pytest.mark.django_db
THUMBPRINT = ":".join(["AB"] * 20)


def secret() -> str:
    return f"s3cret-{secrets.token_urlsafe(32)}"


def fields(kind: str, port: int) -> dict:
    """A form each type accepts but for its secrets, pointing at 127.0.0.1:port."""
    return {
        "vsphere": {"url": f"https://127.0.0.1:{port}/sdk", "user": "admin@vsphere.local", "thumbprint": THUMBPRINT},
        "ovirt": {"url": f"https://127.0.0.1:{port}/ovirt-engine/api", "user": "admin@internal",
                  "insecure_skip_verify": "on"},
        "openstack-password": {"url": f"https://127.0.0.1:{port}/v3", "auth_method": "password",
                               "username": "admin", "domain_name": "Default", "project_name": "demo",
                               "insecure_skip_verify": "on"},
        "openstack-token": {"url": f"https://127.0.0.1:{port}/v3", "auth_method": "token_user_id",
                            "user_id": "u-1", "project_id": "p-1", "insecure_skip_verify": "on"},
        "openstack-application-credential": {"url": f"https://127.0.0.1:{port}/v3",
                                             "auth_method": "application_credential_id",
                                             "application_credential_id": "ac-1", "insecure_skip_verify": "on"},
        "openshift": {"url": f"https://127.0.0.1:{port}", "insecure_skip_verify": "on"},
    }[kind]


# form variant → (provider type, its secret fields)
SECRET_FIELDS = {
    "vsphere": ("vsphere", ["password"]),
    "ovirt": ("ovirt", ["password"]),
    "openstack-password": ("openstack", ["password"]),
    "openstack-token": ("openstack", ["token"]),
    "openstack-application-credential": ("openstack", ["application_credential_secret"]),
    "openshift": ("openshift", ["token"]),
}


# How each type's connection test says the port is closed (so the test knows it got that far).
REFUSED_CONNECTION = {"vsphere": "the connection was refused", "ovirt": "the connection was refused",
                      "openstack": "refused the connection", "openshift": "the connection was refused"}


def test_every_type_with_secrets_is_covered_here():
    with_secrets = {kind for kind in Provider.Type.values if form_class(kind).secret_fields}
    assert with_secrets == {kind for kind, _ in SECRET_FIELDS.values()}
    for kind in with_secrets:
        covered = {name for k, names in SECRET_FIELDS.values() if k == kind for name in names}
        assert covered == set(form_class(kind).secret_fields), kind


@pytest.fixture
def admin_client(client, people):
    client.force_login(people["admin"])
    return client


def post(client, url, data) -> str:
    response = client.post(url, data)
    assert response.status_code == 422, response.content.decode()[:2000]
    return response.content.decode()


@pytest.mark.parametrize("variant", list(SECRET_FIELDS))
def test_a_form_refused_for_another_field_does_not_echo_the_secret(admin_client, variant):
    kind, names = SECRET_FIELDS[variant]
    typed = {name: secret() for name in names}
    data = {"type": kind, "name": "Not A Valid Name!", "namespace": "team-a", **fields(variant, closed_port()),
            **typed}
    page = post(admin_client, reverse("providers:provider_add") + f"?type={kind}", data)
    assert "Not A Valid Name!" in page  # the page is the re-rendered form, with what the user typed
    for value in typed.values():
        assert value not in page
    assert not Provider.objects.exists() and not Secret.objects.exists()


@pytest.mark.parametrize("variant", list(SECRET_FIELDS))
def test_a_form_refused_by_the_connection_test_does_not_echo_the_secret(admin_client, variant):
    kind, names = SECRET_FIELDS[variant]
    typed = {name: secret() for name in names}
    data = {"type": kind, "name": "source", "namespace": "team-a", **fields(variant, closed_port()), **typed}
    page = post(admin_client, reverse("providers:provider_add") + f"?type={kind}", data)
    assert REFUSED_CONNECTION[kind] in page  # the form passed its own checks; the connection test refused it
    for value in typed.values():
        assert value not in page
    assert not Provider.objects.exists() and not Secret.objects.exists()


@pytest.mark.parametrize("variant", list(SECRET_FIELDS))
def test_a_refused_edit_echoes_neither_the_stored_nor_the_new_secret(admin_client, variant):
    kind, names = SECRET_FIELDS[variant]
    port = closed_port()
    form_values = fields(variant, port)
    stored = {form_class(kind).secret_fields[name]: secret() for name in names}
    provider = Provider(type=kind, namespace="team-a", name="source", url=form_values["url"])
    provider.set_credentials({"authType": "password", **stored} if kind == "openstack" else stored)
    provider.save()
    typed = {name: secret() for name in names}
    data = {"name": "Not A Valid Name!", "namespace": "team-a", **form_values, **typed}
    page = post(admin_client, reverse("providers:provider_edit", args=[provider.pk]), data)
    for value in [*typed.values(), *stored.values()]:
        assert value not in page
    provider.refresh_from_db()
    kept = provider.credentials()
    assert provider.name == "source" and {key: kept.get(key) for key in stored} == stored

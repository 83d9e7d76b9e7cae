"""A provider that reaches its cluster with mtvweb's own credentials (an OpenShift provider without
URL: the host cluster) is a cluster admin's to make, and there is only one. Nothing here connects:
the refusals come before the connection test."""

import pytest
from django.urls import reverse

from providers.models import Provider
from tests.factories import ProviderFactory

pytestmark = pytest.mark.django_db
HOST_FORM = {"type": "openshift", "name": "mine", "namespace": "team-a", "url": "", "token": ""}


@pytest.fixture
def host_cluster(settings, tmp_path):
    """A host cluster is configured (the refusals come before anything reads it)."""
    settings.MTVWEB_KUBECONFIG = str(tmp_path / "kubeconfig")


def test_a_namespace_admin_may_not_add_a_provider_on_mtvwebs_credentials(client, people, host_cluster):
    client.force_login(people["nsadmin"])
    page = client.post(reverse("providers:provider_add") + "?type=openshift", HOST_FORM)
    assert page.status_code == 422
    assert "only cluster admins may hand out" in page.content.decode()
    api = client.post("/api/providers/", HOST_FORM, content_type="application/json")
    assert api.status_code == 403 and "only cluster admins may hand out" in api.json()["detail"]
    assert not Provider.objects.exists()


def test_a_namespace_admin_may_not_empty_a_providers_url(client, people, host_cluster):
    remote = ProviderFactory(namespace="team-a", name="remote", type="openshift", url="https://api.example.com:6443")
    remote.set_credentials({"token": "their-token"})
    remote.save()
    client.force_login(people["nsadmin"])
    api = client.patch(f"/api/providers/{remote.pk}/", {"url": "", "token": ""}, content_type="application/json")
    assert api.status_code == 403 and "mtvweb's own cluster credentials" in api.json()["detail"]
    page = client.post(reverse("providers:provider_edit", args=[remote.pk]), {**HOST_FORM, "name": "remote"})
    assert page.status_code == 422 and "only cluster admins may hand out" in page.content.decode()
    remote.refresh_from_db()
    assert remote.url == "https://api.example.com:6443"


def test_there_is_only_one_host_provider(client, people, host_cluster):
    ProviderFactory(namespace="openshift-mtv", name="host", type="openshift", url="")
    client.force_login(people["admin"])
    api = client.post("/api/providers/", HOST_FORM, content_type="application/json")
    assert api.status_code == 400
    assert "Provider openshift-mtv/host already uses mtvweb's own cluster credentials" in api.json()["url"][0]
    page = client.post(reverse("providers:provider_add") + "?type=openshift", HOST_FORM)
    assert page.status_code == 422 and "openshift-mtv/host already uses" in page.content.decode()
    assert Provider.objects.count() == 1

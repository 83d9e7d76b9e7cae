"""A provider pointed at another host asks for its secrets again: the stored token or password never
travels to the new host, not even in the connection test. The new host is a recording server on
loopback; a cluster admin edits (no address policy in the way)."""

import pytest
from django.urls import reverse

from providers.adapters import adapter_class
from tests.factories import ProviderFactory
from tests.providers.helpers import recording_server

pytestmark = pytest.mark.django_db
OLD_TOKEN = "stored-token-of-the-old-cluster-5c1e"
NEW_TOKEN = "typed-token-for-the-new-cluster-9a7d"


@pytest.fixture
def remote(db):
    provider = ProviderFactory(namespace="team-a", name="remote", type="openshift", url="https://api.old.example:6443")
    provider.set_credentials({"token": OLD_TOKEN, "insecureSkipVerify": "true"})
    provider.save()
    return provider


def edit(client, provider, **fields):
    data = {"name": provider.name, "namespace": provider.namespace, "url": provider.url, "token": "",
            "insecure_skip_verify": "on", **fields}
    return client.post(reverse("providers:provider_edit", args=[provider.pk]), data)


def test_a_new_url_asks_for_the_token_and_sends_the_old_one_nowhere(client, people, remote, tmp_path):
    client.force_login(people["admin"])
    with recording_server(tmp_path) as (url, received):
        page = edit(client, remote, url=url)
        api = client.patch(f"/api/providers/{remote.pk}/", {"url": url}, content_type="application/json")
    assert not [r for r in received if OLD_TOKEN.encode() in r]
    assert page.status_code == 422
    assert "enter the service account bearer token again" in page.content.decode()
    assert api.status_code == 400 and "instead of api.old.example:6443" in api.json()["token"][0]
    remote.refresh_from_db()
    assert remote.url == "https://api.old.example:6443" and remote.credentials()["token"] == OLD_TOKEN


def test_the_connection_test_sends_only_the_token_typed_for_the_new_url(client, people, remote, tmp_path):
    """The recording server is no Kubernetes API, so the edit still fails; what matters is what it was sent."""
    client.force_login(people["admin"])
    with recording_server(tmp_path) as (url, received):
        assert edit(client, remote, url=url, token=NEW_TOKEN).status_code == 422
    assert [r for r in received if f"Bearer {NEW_TOKEN}".encode() in r]
    assert not [r for r in received if OLD_TOKEN.encode() in r]


def test_a_url_spelled_another_way_is_the_same_host():
    """Another spelling of the same scheme, host and port is no move."""
    adapter = adapter_class("openshift")
    assert adapter.endpoint("https://API.old.example:6443/") == adapter.endpoint("https://api.old.example:6443")
    assert adapter.endpoint("https://api.old.example") == adapter.endpoint("https://api.old.example:443")
    assert adapter.endpoint("https://api.old.example:6443") != adapter.endpoint("https://api.other.example:6443")
    assert adapter.endpoint("http://api.old.example:6443") != adapter.endpoint("https://api.old.example:6443")
    assert adapter_class("ova").endpoint("nfs.example:/ova") == adapter_class("ova").endpoint("NFS.example:/other")

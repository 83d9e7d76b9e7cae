"""Where a namespace admin may point a provider (providers/addresses.py): not at loopback, "this
host", link-local or metadata addresses, nor the cluster's own networks, unless a cluster admin
allows them; names count by what they resolve to. What a foreign server answers is not repeated.
Nothing here needs the lab: the servers are recording servers on loopback."""

import json

import pytest
from django.urls import reverse

from providers.adapters.vsphere.client import fetch_thumbprint
from providers.models import Provider
from tests.factories import ProviderFactory
from tests.providers.helpers import recording_server

pytestmark = pytest.mark.django_db
THUMBPRINT = "AB:" * 19 + "AB"
MARKER = "INSTANCE-METADATA-ROLE-CREDENTIALS-4e1d"


@pytest.fixture
def no_allowance(settings):
    """The lab's own allowance (loopback) is lifted: the rule as it stands in production."""
    settings.MTVWEB_ALLOWED_PROVIDER_NETWORKS = []
    return settings


def vsphere_at(client, host):
    data = {"type": "vsphere", "name": "vc", "namespace": "team-a", "url": f"https://{host}/sdk", "user": "u",
            "password": "p", "thumbprint": THUMBPRINT}
    return client.post("/api/providers/", data, content_type="application/json")


@pytest.mark.parametrize("host,kind", [
    ("127.0.0.1", "loopback"), ("127.8.9.10", "loopback"), ("[::1]", "loopback"), ("[::ffff:127.0.0.1]", "loopback"),
    ("localhost", "loopback"), ("0.0.0.0", "this host"), ("169.254.169.254", "link-local"),
    ("[fe80::1]", "link-local"), ("100.100.100.200", "metadata"), ("168.63.129.16", "metadata"),
    ("[fd00:ec2::254]", "metadata"), ("10.128.3.4", "pod or service network"),
    ("172.30.0.10", "pod or service network"),
])
def test_a_namespace_admin_may_not_point_a_provider_at(client, people, no_allowance, host, kind):
    client.force_login(people["nsadmin"])
    response = vsphere_at(client, host)
    assert response.status_code == 400, response.content
    message = response.json()["url"][0]
    assert "mtvweb does not connect to" in message and kind in message and "MTVWEB_ALLOWED_PROVIDER_NETWORKS" in message
    if host == "localhost":
        assert "localhost (it resolves to " in message
    assert not Provider.objects.exists()


def test_the_cluster_networks_are_a_setting(client, people, no_allowance):
    no_allowance.MTVWEB_CLUSTER_NETWORKS = ["192.0.2.0/24"]
    client.force_login(people["nsadmin"])
    assert "pod or service network" in vsphere_at(client, "192.0.2.7").json()["url"][0]


def test_the_thumbprint_fetch_follows_the_rule_and_the_allowance(client, people, no_allowance, tmp_path):
    url_of = reverse("providers:thumbprint", args=["vsphere"])
    with recording_server(tmp_path) as (url, received):
        client.force_login(people["nsadmin"])
        refused = client.post(url_of, {"url": url}, HTTP_HX_REQUEST="true").content.decode()
        assert "mtvweb does not connect to 127.0.0.1" in refused and not received
        no_allowance.MTVWEB_ALLOWED_PROVIDER_NETWORKS = ["127.0.0.0/8"]  # what the lab sets
        assert "data-testid=\"fetched-thumbprint\"" in client.post(url_of, {"url": url}, HTTP_HX_REQUEST="true").content.decode()
        no_allowance.MTVWEB_ALLOWED_PROVIDER_NETWORKS = []
        client.force_login(people["admin"])  # cluster admins are not held to the rule
        assert "data-testid=\"fetched-thumbprint\"" in client.post(url_of, {"url": url}, HTTP_HX_REQUEST="true").content.decode()


def test_the_connection_test_checks_the_address_again(client, people, no_allowance, tmp_path):
    """A saved provider's name may resolve elsewhere since: Test connection asks again."""
    with recording_server(tmp_path) as (url, received):
        provider = ProviderFactory(namespace="team-a", type="openshift", url=url)
        provider.set_credentials({"token": "a-token", "insecureSkipVerify": "true"})
        provider.save()
        client.force_login(people["nsadmin"])
        page = client.post(reverse("providers:provider_test", args=[provider.pk]), follow=True).content.decode()
    assert "mtvweb does not connect to 127.0.0.1" in page and not received


def keystone_version(url):
    return json.dumps({"version": {"id": "v3.14", "status": "stable", "links": [{"rel": "self", "href": f"{url}/v3/"}],
                       "media-types": [{"base": "application/json",
                                        "type": "application/vnd.openstack.identity-v3+json"}]}}).encode()


def refusal_from(client, tmp_path, provider_type, path, fields, status=500, body=b"", content_type="text/html",
                 answers=None):
    """What the API answers a namespace admin (the lab's loopback allowed) whose provider URL leads to a
    server that answers `body`."""
    page = f"<html><body><p>{MARKER}</p></body></html>".encode()
    answers = dict(answers or {})
    with recording_server(tmp_path, body=body or page, status=status, content_type=content_type,
                          answers=answers) as (url, _):
        for key, make in list(answers.items()):
            answers[key] = make(url) if callable(make) else make
        data = {"type": provider_type, "name": "p", "namespace": "team-a", "url": url + path,
                **(fields(url) if callable(fields) else fields)}
        response = client.post("/api/providers/", data, content_type="application/json")
    assert response.status_code == 400, response.content
    return json.dumps(response.json())


def test_what_a_foreign_server_answers_is_not_repeated(client, people, tmp_path):
    client.force_login(people["nsadmin"])
    insecure = {"insecure_skip_verify": True}
    not_a_status = json.dumps({"message": MARKER}).encode()
    answers = {
        "openshift": refusal_from(client, tmp_path, "openshift", "", {"token": "t", **insecure}, status=403,
                                  body=not_a_status, content_type="application/json"),
        "vsphere": refusal_from(client, tmp_path, "vsphere", "/sdk", lambda url: {
            "user": "u", "password": "p", "thumbprint": fetch_thumbprint(url)["thumbprint"], **insecure},
            status=200, body=not_a_status),
        "openstack": refusal_from(
            client, tmp_path, "openstack", "/v3",
            {"auth_method": "password", "username": "u", "password": "p", "project_name": "x",
             "domain_name": "Default", **insecure},
            answers={"GET /v3": lambda url: (200, "application/json", keystone_version(url))}),
    }
    assert all(MARKER not in answer for answer in answers.values()), answers
    assert "There is no vSphere API" in answers["vsphere"] and "HTTP 500" in answers["openstack"]
    assert "403 Forbidden" in answers["openshift"] or "Forbidden" in answers["openshift"]

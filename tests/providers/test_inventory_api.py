"""The inventory API at Forklift's paths, its bearer tokens, and who sees what."""

import pytest
import yaml
from django.urls import reverse

from mtvweb.models import ApiToken
from providers.models import Provider
from tests.providers.vsphere_helpers import form_data, load, make_provider

pytestmark = [pytest.mark.lab, pytest.mark.django_db]


@pytest.fixture
def loaded(vsphere_lab):
    provider = make_provider(vsphere_lab)
    load(provider)
    return Provider.objects.get(pk=provider.pk)


def bearer(user):
    _, key = ApiToken.issue(user, "test")
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def test_providers_grouped_by_type(client, people, loaded):
    body = client.get("/inventory/providers", **bearer(people["viewer"])).json()
    assert set(body) == {"vsphere", "ovirt", "openstack", "ova", "openshift"}
    [record] = body["vsphere"]
    assert record["uid"] == str(loaded.uid) and record["vmCount"] == loaded.counts["vm"]
    assert record["selfLink"] == f"providers/vsphere/{loaded.uid}"
    assert client.get("/inventory/providers/vsphere/", **bearer(people["viewer"])).json() == [record]


def test_vms_summary_detail_and_name_filter(client, people, loaded, vsphere_lab):
    auth = bearer(people["viewer"])
    base = f"/inventory/providers/vsphere/{loaded.uid}"
    summary = client.get(f"{base}/vms", **auth).json()
    assert len(summary) == vsphere_lab["vm_count"]
    assert set(summary[0]) == {"id", "parent", "path", "revision", "name", "selfLink"}
    target = vsphere_lab["test_vms"]["two_disks_two_nics"]
    [vm] = client.get(f"{base}/vms?name={target['name']}&detail=1", **auth).json()
    assert vm["id"] == target["moref"] and len(vm["disks"]) == 2 and len(vm["nics"]) == 2
    assert {"concerns", "revisionValidated", "policyVersion"} <= set(vm)
    [by_path] = client.get(f"{base}/vms?name={vm['path']}", **auth).json()
    assert by_path["id"] == vm["id"]
    assert client.get(f"{base}/vms/{vm['id']}/", **auth).json()["uuid"] == vm["uuid"]


def test_workload_expands_host_and_cluster(client, people, loaded, vsphere_lab):
    target = vsphere_lab["test_vms"]["two_disks_two_nics"]["moref"]
    body = client.get(f"/inventory/providers/vsphere/{loaded.uid}/workloads/{target}",
                      **bearer(people["viewer"])).json()
    vm = client.get(f"/inventory/providers/vsphere/{loaded.uid}/vms/{target}", **bearer(people["viewer"])).json()
    host = body["input"]["host"]
    assert body["input"]["id"] == target and host["id"] == vm["host"]
    assert host["selfLink"] == f"providers/vsphere/{loaded.uid}/hosts/{vm['host']}"
    assert host["cluster"]["id"] == host["cluster"]["selfLink"].rsplit("/", 1)[1] == host["cluster"]["id"]
    assert "haEnabled" in host["cluster"] and "networking" in host


@pytest.mark.parametrize("collection,expected_key", [
    ("hosts", "host"), ("datastores", "storage"), ("networks", "network"), ("clusters", "cluster"),
    ("folders", "folder"), ("datacenters", "datacenter"),
])
def test_collections(client, people, loaded, collection, expected_key):
    body = client.get(f"/inventory/providers/vsphere/{loaded.uid}/{collection}?detail=1",
                      **bearer(people["viewer"])).json()
    assert len(body) == loaded.counts[expected_key]


def test_unknown_collection_names_the_valid_ones(client, people, loaded):
    response = client.get(f"/inventory/providers/vsphere/{loaded.uid}/storagedomains", **bearer(people["admin"]))
    assert response.status_code == 404
    assert "datastores" in response.json()["detail"]


def test_outsider_sees_nothing(client, people, loaded):
    auth = bearer(people["outsider"])
    assert client.get("/inventory/providers", **auth).json()["vsphere"] == []
    assert client.get(f"/inventory/providers/vsphere/{loaded.uid}/vms", **auth).status_code == 404


def test_no_token_or_a_bad_one_is_refused(client, loaded):
    assert client.get("/inventory/providers").status_code in (401, 403)
    response = client.get("/inventory/providers", HTTP_AUTHORIZATION="Bearer nope")
    assert response.status_code == 401 and "Unknown or revoked" in response.json()["detail"]


def test_api_creates_providers_with_the_form_rules(client, people, vsphere_lab):
    viewer = bearer(people["viewer"])
    assert client.post("/api/providers/", form_data(vsphere_lab), content_type="application/json",
                       **viewer).status_code == 403
    admin = bearer(people["nsadmin"])
    bad = client.post("/api/providers/", {**form_data(vsphere_lab), "password": "wrong"},
                      content_type="application/json", **admin)
    assert bad.status_code == 400 and "refused the user name or password" in bad.json()["__all__"][0]
    assert not Provider.objects.exists()
    created = client.post("/api/providers/", {**form_data(vsphere_lab), "insecure_skip_verify": True},
                          content_type="application/json", **admin)
    assert created.status_code == 201, created.json()
    provider_id = created.json()["id"]
    detail = client.get(f"/api/providers/{provider_id}/", **admin).json()
    assert "password" in detail["credentialKeys"] and vsphere_lab["password"] not in str(detail)
    renamed = client.patch(f"/api/providers/{provider_id}/", {"name": "vc2"}, content_type="application/json",
                           **admin)
    assert renamed.status_code == 200 and Provider.objects.get(pk=provider_id).name == "vc2"
    assert Provider.objects.get(pk=provider_id).credentials()["password"] == vsphere_lab["password"]


def test_openapi_document_lists_the_inventory_paths(client, people):
    client.force_login(people["viewer"])
    document = yaml.safe_load(client.get(reverse("openapi")).getvalue())
    assert "/inventory/providers/{provider_type}/{uid}/workloads/{id}" in document["paths"]
    assert document["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"

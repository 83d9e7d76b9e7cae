"""Issue 13, attack 11: the map editor offered an editor of mtv-demo the NetworkAttachmentDefinitions
of every namespace (mtv-user/vlan-100…), which named other teams and let their VMs be attached
to those networks. It offers, and accepts, only those of namespaces where the user is an editor
(tests/tenancy_world.py: the host cluster of two teams)."""

import html

import pytest
from django.urls import reverse

from mappings.models import NetworkMap
from tests.tenancy_world import shared_cluster, tenants

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return {"host": shared_cluster(), **tenants()}


def rows(client, world, **fields):
    data = {"name": "nets", "namespace": "mtv-demo", "source_provider": world["host"].pk,
            "destination_provider": world["host"].pk, "pair-0-source": "", "pair-0-destination": "", **fields}
    return html.unescape(client.post(reverse("mappings:networkmap_rows"), data, HTTP_HX_REQUEST="true")
                         .content.decode())


def test_attack_11_the_editor_offers_only_networks_of_the_users_namespaces(client, world):
    client.force_login(world["alice"])
    body = rows(client, world)
    assert '<option value="mtv-demo/vlan-200">' in body  # as a target
    assert '<option value="nad-mtv-demo">mtv-demo/vlan-200</option>' in body  # as a source
    assert "mtv-user/vlan-100" not in body
    assert '<option value="default/br-ext">' in body  # every namespace may attach to the NADs in default
    client.force_login(world["bob"])
    body = rows(client, world)
    assert '<option value="mtv-user/vlan-100">' in body and "mtv-demo/vlan-200" not in body


def test_attack_11_another_teams_network_is_refused_as_a_target(client, world):
    client.force_login(world["alice"])
    body = rows(client, world, **{"pair-0-source": "nad-mtv-demo", "pair-0-destination": "mtv-user/vlan-100"})
    message = ("NetworkAttachmentDefinition mtv-user/vlan-100 is not among those you may use in the cluster of host: "
               "choose the pod network or one in a namespace where you are an editor (create it in the cluster "
               "first).")
    assert message in body
    response = client.post(reverse("mappings:networkmap_add"), {
        "name": "nets", "namespace": "mtv-demo", "source_provider": world["host"].pk,
        "destination_provider": world["host"].pk, "pair-0-source": "nad-mtv-demo",
        "pair-0-destination": "mtv-user/vlan-100"})
    assert response.status_code == 422 and message in html.unescape(response.content.decode())
    answer = client.post("/api/networkmaps/", {
        "name": "nets", "namespace": "mtv-demo",
        "provider": {"source": {"id": world["host"].pk}, "destination": {"id": world["host"].pk}},
        "map": [{"source": {"id": "nad-mtv-demo"},
                 "destination": {"type": "multus", "namespace": "mtv-user", "name": "vlan-100"}}]},
        content_type="application/json")
    assert answer.status_code == 400 and answer.json()["map"] == [{"index": 0, "destination": [message]}]
    assert not NetworkMap.objects.exists()


def test_another_teams_network_is_not_a_source_either(client, world):
    client.force_login(world["alice"])
    body = rows(client, world, **{"pair-0-source": "nad-mtv-user", "pair-0-destination": "pod"})
    assert "Network nad-mtv-user is not in the inventory of host" in body

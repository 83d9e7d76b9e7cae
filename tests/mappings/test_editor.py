"""The console's map pages: the rows view behind htmx (add, remove, choices, storage defaults),
saving (blank rows dropped, map touched), the detail page, delete while in use, and who sees
which controls."""

import html

import pytest
from django.urls import reverse

from mappings.models import NetworkMap, StorageMap
from tests.factories import PlanFactory
from tests.mappings.inventory import openshift_target, vsphere_source

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(people):
    return {"source": vsphere_source(), "target": openshift_target(), **people}


def header(world, **extra):
    return {"name": "m1", "namespace": "team-a", "source_provider": world["source"].pk,
            "destination_provider": world["target"].pk, **extra}


def rows_view(client, kind, data):
    response = client.post(reverse(f"mappings:{kind}map_rows"), data, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def row_keys(body) -> list[str]:
    import re

    return re.findall(r'data-testid="pair-row" data-row="(\d+)"', body)


def test_rows_are_added_and_removed(client, world):
    client.force_login(world["editor"])
    data = header(world, **{"pair-0-source": "network-6", "pair-0-destination": "pod"})
    body = rows_view(client, "network", {**data, "add": "1"})
    assert row_keys(body) == ["0", "1"]
    body = rows_view(client, "network", {**data, "pair-1-source": "", "pair-1-destination": "", "add": "1"})
    assert row_keys(body) == ["0", "1", "2"]
    body = rows_view(client, "network", {**data, "pair-1-source": "network-121", "pair-1-destination": "pod",
                                         "remove": "0"})
    assert row_keys(body) == ["1"]
    assert '<option value="network-121" selected>VM Network (/DC1/network/VM Network)</option>' in body


def test_rows_list_the_inventories_of_the_chosen_providers(client, world):
    client.force_login(world["editor"])
    body = rows_view(client, "network", header(world, **{"pair-0-source": "", "pair-0-destination": ""}))
    for option in ("DPG-Prod", "VM Network (/DC0/network/VM Network)", "Pod network", "team-a/vm-network",
                   'label="NetworkAttachmentDefinitions in team-a"'):
        assert option in body
    body = rows_view(client, "storage", header(world, **{"pair-0-source": ""}))
    assert "Source datastore" in body and "LocalDS_1" in body and "ceph-rbd (default)" in body


def test_without_providers_the_rows_say_what_to_do_first_and_add_is_disabled_with_the_reason(client, world):
    client.force_login(world["editor"])
    body = rows_view(client, "network", {"name": "m1", "pair-0-source": "network-6", "pair-0-destination": "pod"})
    reason = "Choose the source and target providers first: the rows list their networks."
    assert reason in body
    assert f'<span title="{reason}">' in body and 'data-testid="add-row" disabled' in body
    # …and what the user chose is kept for when the providers are back.
    assert '<option value="network-6" selected>' in body


def test_choosing_a_storage_class_fills_in_its_default_modes(client, world):
    client.force_login(world["editor"])
    data = header(world, **{"pair-0-source": "datastore-102", "pair-0-storage_class": "ceph-rbd",
                            "pair-0-access_mode": "", "pair-0-volume_mode": "", "pair-0-defaults_for": ""})
    body = rows_view(client, "storage", data)
    assert '<option value="ReadWriteMany" selected>' in body and '<option value="Block" selected>' in body
    assert "Defaults from the class's StorageProfile." in body
    # The user changes a mode: kept while the class stays…
    data.update({"pair-0-access_mode": "ReadWriteOnce", "pair-0-volume_mode": "Block", "pair-0-defaults_for": "ceph-rbd"})
    body = rows_view(client, "storage", data)
    assert '<option value="ReadWriteOnce" selected>' in body
    # …another class brings its own defaults (gp2: the provisioner table; mystery: the fallback).
    body = rows_view(client, "storage", {**data, "pair-0-storage_class": "gp2"})
    assert '<option value="ReadWriteOnce" selected>' in body and '<option value="Block" selected>' in body
    assert "Defaults from the provisioner table (guide §2.2)." in body
    body = rows_view(client, "storage", {**data, "pair-0-storage_class": "mystery"})
    assert '<option value="Filesystem" selected>' in body
    assert "unknown provisioner: ReadWriteOnce and Filesystem" in body


def test_rows_view_is_for_those_who_may_edit_maps(client, world):
    client.force_login(world["viewer"])
    response = client.post(reverse("mappings:networkmap_rows"), header(world), HTTP_HX_REQUEST="true")
    assert response.status_code == 403
    client.force_login(world["outsider"])  # an editor elsewhere: team-a's source is not offered to it
    body = rows_view(client, "network", header(world))
    assert "Choose the source and target providers first" in body and "DPG-Prod" not in body


def test_create_drops_blank_rows_and_several_sources_share_a_target(client, world):
    client.force_login(world["editor"])
    data = header(world, **{"pair-0-source": "network-6", "pair-0-destination": "team-a/vm-network",
                            "pair-3-source": "", "pair-3-destination": "",
                            "pair-5-source": "network-121", "pair-5-destination": "team-a/vm-network"})
    response = client.post(reverse("mappings:networkmap_add"), data)
    assert response.status_code == 302
    network_map = NetworkMap.objects.get(name="m1")
    assert response.url == network_map.get_absolute_url()
    assert sorted((p.source_id, p.destination) for p in network_map.pairs.all()) == [
        ("network-121", "team-a/vm-network"), ("network-6", "team-a/vm-network")]


def test_editing_shows_the_saved_rows_and_saving_touches_the_map(client, world):
    client.force_login(world["editor"])
    data = header(world, **{"pair-0-source": "datastore-102", "pair-0-storage_class": "gp2",
                            "pair-0-access_mode": "ReadWriteMany", "pair-0-volume_mode": "Filesystem",
                            "pair-0-defaults_for": "gp2"})
    client.post(reverse("mappings:storagemap_add"), data)
    storage_map = StorageMap.objects.get(name="m1")
    body = html.unescape(client.get(reverse("mappings:storagemap_edit", args=[storage_map.pk])).content.decode())
    assert '<option value="datastore-102" selected>' in body and '<option value="gp2" selected>' in body
    assert '<option value="ReadWriteMany" selected>' in body  # the user's modes, not gp2's defaults
    before = storage_map.updated
    data["pair-0-storage_class"] = data["pair-0-defaults_for"] = "ceph-rbd"
    assert client.post(reverse("mappings:storagemap_edit", args=[storage_map.pk]), data).status_code == 302
    storage_map.refresh_from_db()
    assert storage_map.updated > before
    assert storage_map.pairs.get().storage_class == "ceph-rbd"


def test_a_refused_edit_keeps_the_saved_map(client, world):
    client.force_login(world["editor"])
    client.post(reverse("mappings:networkmap_add"), header(world, **{"pair-0-source": "network-6",
                                                                     "pair-0-destination": "pod"}))
    network_map = NetworkMap.objects.get(name="m1")
    data = header(world, name="m2", **{"pair-0-source": "network-6", "pair-0-destination": "team-a/gone"})
    assert client.post(reverse("mappings:networkmap_edit", args=[network_map.pk]), data).status_code == 422
    network_map.refresh_from_db()
    assert network_map.name == "m1" and [p.destination for p in network_map.pairs.all()] == ["pod"]


def test_detail_page_shows_rows_problems_and_plans(client, world):
    client.force_login(world["editor"])
    client.post(reverse("mappings:networkmap_add"), header(world, **{"pair-0-source": "network-6",
                                                                     "pair-0-destination": "team-a/vm-network"}))
    network_map = NetworkMap.objects.get(name="m1")
    PlanFactory(namespace="team-a", name="wave-1", network_map=network_map)
    from providers.models import InventoryObject

    InventoryObject.objects.filter(uid="nad-team-a-vm-network").delete()  # the NAD went away since
    body = html.unescape(client.get(network_map.get_absolute_url()).content.decode())
    assert "team-a/vm-network" in body
    assert "NetworkAttachmentDefinition team-a/vm-network is not among those you may use in the cluster of host" in body
    assert "team-a/wave-1" in body
    reason = "m1 is still used by plan team-a/wave-1: choose another map in that plan or delete it first."
    assert f'<span title="{reason}"><button class="pf-v6-c-button pf-m-danger" type="button" disabled' in body


def test_delete_is_refused_while_a_plan_uses_the_map(client, world):
    client.force_login(world["editor"])
    storage_map = StorageMap.objects.create(name="s1", namespace="team-a", source_provider=world["source"],
                                            destination_provider=world["target"])
    PlanFactory(namespace="team-a", name="wave-1", storage_map=storage_map)
    response = client.post(reverse("mappings:storagemap_delete", args=[storage_map.pk]), follow=True)
    assert "s1 is still used by plan team-a/wave-1: choose another map in that plan or delete it first." in (
        html.unescape(response.content.decode()))
    assert StorageMap.objects.filter(pk=storage_map.pk).exists()


@pytest.mark.parametrize("role,status,controls", [("editor", 200, True), ("viewer", 200, False),
                                                  ("outsider", 404, False)])
def test_who_sees_which_controls(client, world, role, status, controls):
    network_map = NetworkMap.objects.create(name="m1", namespace="team-a", source_provider=world["source"],
                                            destination_provider=world["target"])
    link = f'href="{network_map.get_absolute_url()}"'  # not the bare name: a CSRF token may hold "m1"
    client.force_login(world[role])
    response = client.get(network_map.get_absolute_url())
    assert response.status_code == status
    body = response.content.decode()
    assert ('data-testid="edit"' in body) is controls and ('data-testid="delete"' in body) is controls
    listing = client.get(reverse("mappings:networkmap_list")).content.decode()
    assert (link in listing) is (status == 200)
    assert ('data-testid="create"' in listing) is (role != "viewer")

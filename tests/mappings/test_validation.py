"""Every map validation message, through the console's editor (on save and live while editing)
and through the REST API; nothing is saved when a message shows."""

import html

import pytest
from django.urls import reverse

from mappings.models import NetworkMap, StorageMap
from tests.factories import ProviderFactory
from tests.mappings.inventory import openshift_target, vsphere_source

pytestmark = pytest.mark.django_db

NOT_IN_INVENTORY = ("Network network-999 is not in the inventory of vcenter: choose one of its networks "
                    "(refresh the provider if it is new).")
NETWORK_CASES = {
    # case: (rows as (source id, target), the message, the row field it belongs to)
    "source-not-in-inventory": ([("network-999", "pod")], NOT_IN_INVENTORY, "source"),
    "same-source-twice": ([("network-6", "pod"), ("network-6", "team-a/vm-network")],
                          "Network VM Network (/DC0/network/VM Network) is already mapped in row 1: a source has one "
                          "target only; remove one of the two rows.", "source"),
    "nad-not-in-cluster": ([("network-6", "team-a/nope")],
                           "NetworkAttachmentDefinition team-a/nope is not among those you may use in the cluster of "
                           "host: choose the pod network or one in a namespace where you are an editor (create it in "
                           "the cluster first).", "destination"),
    "no-target": ([("network-6", "")], "Choose a target: the pod network or a NetworkAttachmentDefinition.",
                  "destination"),
    "no-source": ([("", "pod")], "Choose a source network, or remove this row.", "source"),
}
STORAGE_CASES = {
    "source-not-in-inventory": ([("datastore-9", "gp2", "", "")],
                                "Datastore datastore-9 is not in the inventory of vcenter: choose one of its "
                                "datastores (refresh the provider if it is new).", "source"),
    "same-source-twice": ([("datastore-102", "gp2", "", ""), ("datastore-102", "ceph-rbd", "", "")],
                          "Datastore LocalDS_0 is already mapped in row 1: a source has one target only; remove one "
                          "of the two rows.", "source"),
    "class-not-in-cluster": ([("datastore-102", "fast-nvme", "", "")],
                             "Storage class fast-nvme does not exist in the cluster of host: choose one of its storage "
                             "classes.", "storage_class"),
    "no-class": ([("datastore-102", "", "", "")], "Choose a target storage class.", "storage_class"),
    "bad-access-mode": ([("datastore-102", "gp2", "ReadWriteAlways", "")],
                        "Access mode 'ReadWriteAlways' is not valid: use ReadWriteOnce, ReadWriteMany or ReadOnlyMany.",
                        "access_mode"),
    "bad-volume-mode": ([("datastore-102", "gp2", "", "Raw")],
                        "Volume mode 'Raw' is not valid: use Filesystem or Block.", "volume_mode"),
    "no-source": ([("", "gp2", "ReadWriteOnce", "Block")], "Choose a source datastore, or remove this row.", "source"),
}
API_FIELD = {"source": "source", "destination": "destination", "storage_class": "storageClass",
             "access_mode": "accessMode", "volume_mode": "volumeMode"}


@pytest.fixture
def world(people):
    return {"source": vsphere_source(), "target": openshift_target(), "people": people}


def console_data(world, kind, rows, name="m1", **overrides):
    data = {"name": name, "namespace": "team-a", "source_provider": world["source"].pk,
            "destination_provider": world["target"].pk, **overrides}
    for key, row in enumerate(rows):
        data[f"pair-{key}-source"] = row[0]
        if kind == "network":
            data[f"pair-{key}-destination"] = row[1]
        else:
            data[f"pair-{key}-storage_class"], data[f"pair-{key}-access_mode"], data[f"pair-{key}-volume_mode"] = row[1:]
            data[f"pair-{key}-defaults_for"] = row[1]  # as after choosing the class: the modes are the user's
    return data


def destination(value):
    if value in ("pod", "ignored"):
        return {"type": value}
    namespace, _, name = value.partition("/")
    return {"type": "multus", "namespace": namespace, "name": name} if value else {}


def api_body(world, kind, rows, name="m1"):
    entries = []
    for row in rows:
        source = {"id": row[0]} if row[0] else {}
        if kind == "network":
            entries.append({"source": source, "destination": destination(row[1])})
        else:
            dest = {k: v for k, v in zip(("storageClass", "accessMode", "volumeMode"), row[1:], strict=True) if v}
            entries.append({"source": source, "destination": dest})
    return {"name": name, "namespace": "team-a", "map": entries,
            "provider": {"source": {"name": "vcenter", "namespace": "team-a"},
                         "destination": {"name": "host", "namespace": "openshift-mtv"}}}


def text(response) -> str:
    return html.unescape(response.content.decode())


CASES = [("network", c, *v) for c, v in NETWORK_CASES.items()] + [("storage", c, *v) for c, v in STORAGE_CASES.items()]
IDS = [f"{kind}-{case}" for kind, case, *_ in CASES]
MODEL = {"network": NetworkMap, "storage": StorageMap}


@pytest.mark.parametrize("kind,case,rows,message,field", CASES, ids=IDS)
def test_console_refuses_to_save_with_the_message(client, world, kind, case, rows, message, field):
    client.force_login(world["people"]["editor"])
    response = client.post(reverse(f"mappings:{kind}map_add"), console_data(world, kind, rows))
    assert response.status_code == 422
    body = text(response)
    assert message in body
    assert "Nothing was saved: fix the mappings marked below." in body
    assert not MODEL[kind].objects.exists()


LIVE = [c for c in CASES if not c[3].startswith("Choose")]


@pytest.mark.parametrize("kind,case,rows,message,field", LIVE, ids=[f"{k}-{c}" for k, c, *_ in LIVE])
def test_live_validation_shows_the_message_while_editing(client, world, kind, case, rows, message, field):
    client.force_login(world["people"]["editor"])
    response = client.post(reverse(f"mappings:{kind}map_rows"), console_data(world, kind, rows),
                           HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert message in text(response)


def test_live_validation_leaves_fields_the_user_has_not_filled_yet_alone(client, world):
    client.force_login(world["people"]["editor"])
    data = console_data(world, "network", [("network-6", ""), ("", "")])
    response = client.post(reverse("mappings:networkmap_rows"), data, HTTP_HX_REQUEST="true")
    assert 'data-testid="row-error"' not in response.content.decode()
    assert response.content.decode().count('data-testid="pair-row"') == 2


@pytest.mark.parametrize("kind,case,rows,message,field", CASES, ids=IDS)
def test_api_refuses_with_the_same_message(client, world, kind, case, rows, message, field):
    client.force_login(world["people"]["editor"])
    response = client.post(f"/api/{kind}maps/", api_body(world, kind, rows), content_type="application/json")
    assert response.status_code == 400, response.json()
    entries = response.json()["map"]
    assert any(message in entry.get(API_FIELD[field], []) for entry in entries), entries
    assert not MODEL[kind].objects.exists()


@pytest.mark.parametrize("entry_destination,message", [
    ({"type": "bridge"}, "Destination type 'bridge' is not valid: use pod, multus or ignored."),
    ({"type": "multus"}, "A multus destination needs the NetworkAttachmentDefinition's namespace and name."),
])
def test_api_refuses_a_destination_that_is_not_forklifts(client, world, entry_destination, message):
    client.force_login(world["people"]["editor"])
    body = api_body(world, "network", [])
    body["map"] = [{"source": {"id": "network-6"}, "destination": entry_destination}]
    response = client.post("/api/networkmaps/", body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["map"] == [{"index": 0, "destination": [message]}]


def test_api_asks_for_the_id_when_a_source_name_is_ambiguous(client, world):
    client.force_login(world["people"]["editor"])
    body = api_body(world, "network", [])
    body["map"] = [{"source": {"name": "DPG-Prod"}, "destination": {"type": "pod"}},
                   {"source": {"name": "VM Network"}, "destination": {"type": "pod"}}]
    response = client.post("/api/networkmaps/", body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["map"] == [{"index": 1, "source": [
        "2 networks are named VM Network (/DC0/network/VM Network, /DC1/network/VM Network): give the id of the "
        "one you mean."]}]


def test_api_refuses_a_map_that_is_not_a_list(client, world):
    client.force_login(world["people"]["editor"])
    body = {**api_body(world, "network", []), "map": {"network-6": "pod"}}
    response = client.post("/api/networkmaps/", body, content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {"map": ['Give map as a list of {"source": …, "destination": …} entries.']}


HEADER_CASES = {
    # case: (what to change in the console form, the same for the API body, field, message)
    "taken-name": ({}, {}, "name", "A {verbose} named taken already exists in project team-a: choose another name."),
    "target-not-openshift": ({"destination_provider": "source"}, {"destination": {"name": "vcenter",
                                                                                  "namespace": "team-a"}},
                             "destination_provider",
                             "Choose an OpenShift Virtualization provider you may use as the target."),
    "source-not-visible": ({"source_provider": "hidden"}, {"source": {"name": "vcenter-b", "namespace": "team-b"}},
                           "source_provider", "Choose a source provider you may use."),
}


@pytest.mark.parametrize("kind", ["network", "storage"])
@pytest.mark.parametrize("case", HEADER_CASES)
def test_header_messages_in_console_and_api(client, world, kind, case):
    hidden = ProviderFactory(namespace="team-b", name="vcenter-b", type="vsphere")
    MODEL[kind].objects.create(name="taken", namespace="team-a", source_provider=world["source"],
                               destination_provider=world["target"])
    form_change, api_change, field, message = HEADER_CASES[case]
    message = message.format(verbose=f"{kind} map")
    name = "taken" if case == "taken-name" else "fresh"
    client.force_login(world["people"]["editor"])
    choose = {"source": world["source"].pk, "hidden": hidden.pk}
    data = console_data(world, kind, [], name=name, **{k: choose[v] for k, v in form_change.items()})
    response = client.post(reverse(f"mappings:{kind}map_add"), data)
    assert response.status_code == 422
    assert message in text(response)
    body = api_body(world, kind, [], name=name)
    body["provider"].update(api_change)
    response = client.post(f"/api/{kind}maps/", body, content_type="application/json")
    assert response.status_code == 400
    errors = response.json()
    if field in ("source_provider", "destination_provider") and case == "source-not-visible":
        # The API names providers by name: one the user may not use is not found at all.
        assert errors == {"provider.source": ["There is no source provider team-b/vcenter-b that you may use: "
                                              "check its name and project."]}
    else:
        key = {"destination_provider": "provider.destination"}.get(field, field)
        assert errors[key] == [message]
    assert MODEL[kind].objects.count() == 1


@pytest.mark.parametrize("provider_type,noun,nouns", [
    ("vsphere", "datastore", "datastores"), ("ovirt", "storage domain", "storage domains"),
    ("openstack", "volume type", "volume types"), ("ova", "storage", "storage"),
    ("openshift", "storage class", "storage classes"),
])
def test_storage_rows_use_what_the_source_calls_its_storage(client, world, provider_type, noun, nouns):
    source = ProviderFactory(type=provider_type, name="src", status="Ready")
    client.force_login(world["people"]["editor"])
    response = client.post(reverse("mappings:storagemap_rows"), {
        "name": "m1", "namespace": "team-a", "source_provider": source.pk,
        "destination_provider": world["target"].pk, "pair-0-source": "gone", "pair-0-storage_class": "gp2"},
        HTTP_HX_REQUEST="true")
    body = html.unescape(response.content.decode())
    assert f'scope="col">Source {noun}</th>' in body
    assert f"The inventory of src has no {nouns} yet" in body
    assert (f"{noun.capitalize()} gone is not in the inventory of src: choose one of its {nouns} (refresh the "
            "provider if it is new).") in body

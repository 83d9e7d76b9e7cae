"""/api/networkmaps/ and /api/storagemaps/: Forklift's shape, create/read/update/delete, the
console's access rules (viewer read-only, outsider 404, 403 for writes), 409 while plans use a map."""

import pytest

from mappings.models import NetworkMap, StorageMap
from tests.factories import PlanFactory
from tests.mappings.inventory import openshift_target, vsphere_source

pytestmark = pytest.mark.django_db

SOURCE_REF = {"name": "vcenter", "namespace": "team-a"}
TARGET_REF = {"name": "host", "namespace": "openshift-mtv"}


@pytest.fixture
def world(people):
    return {"source": vsphere_source(), "target": openshift_target(), **people}


def as_user(client, user):
    client.force_login(user)
    return client


def create(client, kind, entries, name="m1", namespace="team-a"):
    body = {"name": name, "namespace": namespace, "provider": {"source": SOURCE_REF, "destination": TARGET_REF},
            "map": entries}
    return client.post(f"/api/{kind}maps/", body, content_type="application/json")


NETWORK_ENTRIES = [
    {"source": {"id": "network-6"}, "destination": {"type": "pod"}},
    {"source": {"name": "DPG-Prod"}, "destination": {"type": "multus", "name": "team-a/vm-network"}},
    {"source": {"id": "network-121"}, "destination": {"type": "multus", "namespace": "team-a", "name": "vm-network"}},
]


def test_create_and_read_a_network_map_in_forklifts_shape(client, world):
    response = create(as_user(client, world["editor"]), "network", NETWORK_ENTRIES)
    assert response.status_code == 201, response.json()
    record = response.json()
    assert record["name"] == "m1" and record["namespace"] == "team-a"
    assert record["provider"]["source"] == {"id": world["source"].pk, "name": "vcenter", "namespace": "team-a",
                                            "type": "vsphere"}
    assert record["provider"]["destination"]["name"] == "host"
    assert record["map"] == [
        {"source": {"id": "dvportgroup-113", "name": "DPG-Prod"},
         "destination": {"type": "multus", "name": "vm-network", "namespace": "team-a"}},
        {"source": {"id": "network-121", "name": "VM Network"},
         "destination": {"type": "multus", "name": "vm-network", "namespace": "team-a"}},
        {"source": {"id": "network-6", "name": "VM Network"}, "destination": {"type": "pod"}},
    ]
    assert client.get(f"/api/networkmaps/{record['id']}/").json() == record
    assert [m["name"] for m in client.get("/api/networkmaps/").json()] == ["m1"]


def test_storage_modes_left_out_are_saved_as_the_class_defaults(client, world):
    entries = [{"source": {"id": "datastore-102"}, "destination": {"storageClass": "ceph-rbd"}},
               {"source": {"id": "datastore-104"}, "destination": {"storageClass": "gp2", "volumeMode": "Filesystem"}}]
    response = create(as_user(client, world["editor"]), "storage", entries)
    assert response.status_code == 201, response.json()
    assert response.json()["map"] == [
        # ceph-rbd: its StorageProfile's first claimPropertySet
        {"source": {"id": "datastore-102", "name": "LocalDS_0"},
         "destination": {"storageClass": "ceph-rbd", "accessMode": "ReadWriteMany", "volumeMode": "Block"}},
        # gp2: the provisioner table's access mode, the volume mode the user gave
        {"source": {"id": "datastore-104", "name": "LocalDS_1"},
         "destination": {"storageClass": "gp2", "accessMode": "ReadWriteOnce", "volumeMode": "Filesystem"}},
    ]


def test_a_whole_forklift_manifest_is_accepted(client, world):
    manifest = {"apiVersion": "forklift.konveyor.io/v1beta1", "kind": "StorageMap",
                "metadata": {"name": "from-yaml", "namespace": "team-a"},
                "spec": {"provider": {"source": SOURCE_REF, "destination": TARGET_REF},
                         "map": [{"source": {"id": "datastore-102"},
                                  "destination": {"storageClass": "mystery", "accessMode": "ReadWriteOnce"}}]}}
    response = as_user(client, world["editor"]).post("/api/storagemaps/", manifest, content_type="application/json")
    assert response.status_code == 201, response.json()
    pair = StorageMap.objects.get(name="from-yaml").pairs.get()
    assert (pair.storage_class, pair.access_mode, pair.volume_mode) == ("mystery", "ReadWriteOnce", "Filesystem")


def test_patch_replaces_the_rows_and_touches_the_map(client, world):
    record = create(as_user(client, world["editor"]), "network", NETWORK_ENTRIES[:1]).json()
    before = NetworkMap.objects.get(pk=record["id"]).updated
    response = client.patch(f"/api/networkmaps/{record['id']}/",
                            {"map": [{"source": {"id": "network-6"}, "destination": {"type": "ignored"}}]},
                            content_type="application/json")
    assert response.status_code == 200, response.json()
    assert response.json()["map"] == [{"source": {"id": "network-6", "name": "VM Network"},
                                       "destination": {"type": "ignored"}}]
    assert NetworkMap.objects.get(pk=record["id"]).updated > before


def test_patch_without_map_keeps_the_rows(client, world):
    record = create(as_user(client, world["editor"]), "network", NETWORK_ENTRIES).json()
    response = client.patch(f"/api/networkmaps/{record['id']}/", {"name": "renamed"}, content_type="application/json")
    assert response.status_code == 200
    assert response.json()["name"] == "renamed"
    assert response.json()["map"] == record["map"]


def test_viewer_reads_but_may_not_write(client, world):
    record = create(as_user(client, world["editor"]), "network", NETWORK_ENTRIES).json()
    viewer = as_user(client, world["viewer"])
    assert viewer.get(f"/api/networkmaps/{record['id']}/").status_code == 200
    assert [m["id"] for m in viewer.get("/api/networkmaps/").json()] == [record["id"]]
    response = create(viewer, "network", NETWORK_ENTRIES, name="mine")
    assert response.status_code == 403
    assert response.json()["detail"] == "Creating network maps needs the editor role in a project."
    response = viewer.patch(f"/api/networkmaps/{record['id']}/", {"name": "x"}, content_type="application/json")
    assert response.status_code == 403
    assert response.json()["detail"] == "You may view network map m1 but not change it."
    response = viewer.delete(f"/api/networkmaps/{record['id']}/")
    assert response.status_code == 403
    assert response.json()["detail"] == "You may view network map m1 but not delete it."
    assert NetworkMap.objects.filter(name="m1").exists() and not NetworkMap.objects.filter(name="mine").exists()


def test_outsider_sees_nothing_of_another_project(client, world):
    record = create(as_user(client, world["editor"]), "storage", []).json()
    outsider = as_user(client, world["outsider"])
    assert outsider.get("/api/storagemaps/").json() == []
    for method in ("get", "patch", "delete"):
        assert getattr(outsider, method)(f"/api/storagemaps/{record['id']}/").status_code == 404
    # …nor use team-a's provider, nor create a map in team-a with a provider it may use.
    response = create(outsider, "storage", [])
    assert response.status_code == 400
    assert response.json() == {"provider.source": [
        "There is no source provider team-a/vcenter that you may use: check its name and project."]}
    body = {"name": "sneak", "namespace": "team-a", "provider": {"source": TARGET_REF, "destination": TARGET_REF},
            "map": []}
    response = outsider.post("/api/storagemaps/", body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["namespace"] == [
        "Select a valid choice. team-a is not one of the available choices."]
    assert StorageMap.objects.count() == 1


def test_anonymous_is_refused(client, world):
    assert client.get("/api/networkmaps/").status_code in (401, 403)


def test_delete_is_refused_while_plans_use_the_map(client, world):
    record = create(as_user(client, world["editor"]), "network", NETWORK_ENTRIES).json()
    network_map = NetworkMap.objects.get(pk=record["id"])
    PlanFactory(namespace="team-a", name="wave-1", network_map=network_map)
    PlanFactory(namespace="team-b", name="secret", network_map=network_map)
    response = client.delete(f"/api/networkmaps/{record['id']}/")
    assert response.status_code == 409
    assert response.json()["detail"] == ("m1 is still used by plan team-a/wave-1, 1 plan in projects you cannot see: "
                                         "choose another map in those plans or delete them first.")
    assert NetworkMap.objects.filter(pk=record["id"]).exists()
    network_map.plans.all().delete()
    assert client.delete(f"/api/networkmaps/{record['id']}/").status_code == 204
    assert not NetworkMap.objects.filter(pk=record["id"]).exists()

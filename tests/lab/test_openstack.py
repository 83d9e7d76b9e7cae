"""The simulated OpenStack, seen through the real openstacksdk (lab/openstack)."""

import io
import json
import os
import ssl
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import blake3
import openstack
import pytest
from keystoneauth1 import exceptions as ks_exceptions
from openstack import exceptions as sdk_exceptions

from tests.fixtures.lab import ROOT

WAIT = 180


def auth_methods(lab: dict) -> dict:
    """The five auth dicts a user fills in from the guide's secrets (§2.6.1, §4.4.1.3)."""
    url, cred = lab["auth_url"], lab["application_credential"]
    return {
        "password": {"auth": {"auth_url": url, "username": lab["user_name"], "password": lab["password"],
                              "project_name": lab["project_name"], "user_domain_name": lab["domain_name"],
                              "project_domain_name": lab["domain_name"]}},
        "token_with_user_id": {"auth_type": "v3token", "auth": {"auth_url": url, "token": lab["token"],
                                                                "project_id": lab["project_id"]}},
        "token_with_user_name": {"auth_type": "v3token", "auth": {
            "auth_url": url, "token": lab["token"], "project_name": lab["project_name"],
            "project_domain_name": lab["domain_name"]}},
        "application_credential_id": {"auth_type": "v3applicationcredential", "auth": {
            "auth_url": url, "application_credential_id": cred["id"], "application_credential_secret": cred["secret"]}},
        "application_credential_name": {"auth_type": "v3applicationcredential", "auth": {
            "auth_url": url, "application_credential_name": cred["name"], "application_credential_secret": cred["secret"],
            "username": lab["user_name"], "user_domain_name": lab["domain_name"]}},
    }


def connect(lab: dict, **auth):
    return openstack.connect(region_name=lab["region"], cacert=lab["ca_file"], **auth)


@pytest.fixture(scope="module")
def conn(openstack_lab):
    return connect(openstack_lab, **auth_methods(openstack_lab)["password"])


class Blake3Writer(io.RawIOBase):
    def __init__(self):
        self.hash, self.size = blake3.blake3(), 0

    def writable(self):
        return True

    def write(self, data):
        self.hash.update(data)
        self.size += len(data)
        return len(data)


def download(conn, image) -> tuple[str, int]:
    """Download through the SDK, which also checks Glance's sha512 while writing."""
    out = Blake3Writer()
    conn.image.download_image(image, output=out)
    return out.hash.hexdigest(), out.size


def by_key(lab: dict, key: str) -> dict:
    return lab["test_vms"][key]


def volume_record(lab: dict, name: str) -> dict:
    return next(v for v in lab["volumes"] if v["name"] == name)


def test_lab_up_from_an_empty_state_dir_and_down_again(tmp_path):
    env = {**os.environ, "MTVWEB_LAB_DIR": str(tmp_path)}
    run = lambda *args: subprocess.run([sys.executable, "-m", "lab", *args, "--parts", "openstack"],  # noqa: E731
                                       cwd=ROOT, env=env, check=True, stdout=subprocess.PIPE, text=True, timeout=600)
    run("up")
    state = json.loads((tmp_path / "lab.json").read_text())
    record, pid = state["openstack"], state["pids"]["openstack"]["openstack"]
    try:
        assert record["auth_url"].startswith("https://127.0.0.1:") and record["auth_url"].endswith("/v3")
        context = ssl.create_default_context(cafile=record["ca_file"])
        with urllib.request.urlopen(record["auth_url"], context=context, timeout=10) as resp:
            assert json.load(resp)["version"]["id"].startswith("v3")
    finally:
        run("down")
    assert not Path(f"/proc/{pid}").exists() or "Z" in Path(f"/proc/{pid}/stat").read_text().split(")")[-1][:3]


@pytest.mark.parametrize("method", ["password", "token_with_user_id", "token_with_user_name",
                                    "application_credential_id", "application_credential_name"])
def test_each_auth_method_lists_servers_volumes_networks_and_flavors(openstack_lab, method):
    cloud = connect(openstack_lab, **auth_methods(openstack_lab)[method])
    servers = {s.name for s in cloud.compute.servers()}
    expected = {vm["name"] for vm in openstack_lab["test_vms"].values() if vm["project_id"] == openstack_lab["project_id"]}
    assert servers == expected
    assert by_key(openstack_lab, "other_project")["name"] not in servers
    volumes = {v.id for v in cloud.block_storage.volumes()}
    assert volumes == {v["id"] for v in openstack_lab["volumes"] if v["project_id"] == openstack_lab["project_id"]}
    assert {"private", "storage-net", "public"} <= {n.name for n in cloud.network.networks()}
    assert {f.name for f in cloud.compute.flavors()} == {f["name"] for f in openstack_lab["flavors"]}
    assert cloud.current_project_id == openstack_lab["project_id"]


@pytest.mark.parametrize("method,field,wrong", [
    ("password", "password", "not-the-password"),
    ("application_credential_id", "application_credential_secret", "not-the-secret"),
    ("application_credential_name", "application_credential_secret", "not-the-secret"),
    ("token_with_user_id", "token", "gAAAAABnot-a-token"),
])
def test_wrong_secret_is_a_401_the_sdk_reports(openstack_lab, method, field, wrong):
    auth = auth_methods(openstack_lab)[method]
    auth["auth"][field] = wrong
    with pytest.raises(ks_exceptions.Unauthorized) as failure:
        list(connect(openstack_lab, **auth).compute.servers())
    assert failure.value.http_status == 401


def test_token_validation_and_catalog(conn, openstack_lab):
    token = conn.session.get_token()
    resp = conn.session.get(f"{openstack_lab['auth_url']}/auth/tokens", headers={"X-Subject-Token": token})
    body = resp.json()["token"]
    assert resp.headers["X-Subject-Token"] == token
    assert body["user"]["id"] == openstack_lab["user_id"] and body["project"]["id"] == openstack_lab["project_id"]
    types = {entry["type"]: entry["endpoints"] for entry in body["catalog"]}
    assert {"identity", "compute", "volumev3", "block-storage", "image", "network"} <= set(types)
    assert all(e["interface"] == "public" and e["region"] == "regionOne" for eps in types.values() for e in eps)
    with pytest.raises(ks_exceptions.NotFound):
        conn.session.get(f"{openstack_lab['auth_url']}/auth/tokens", headers={"X-Subject-Token": "gAAAAABgone"})


def test_plain_http_endpoint_works_too(openstack_lab):
    auth = auth_methods(openstack_lab)["application_credential_id"]
    auth["auth"]["auth_url"] = openstack_lab["auth_url_http"]
    cloud = openstack.connect(**auth)
    assert cloud.compute.find_server(by_key(openstack_lab, "good")["name"]) is not None
    assert cloud.compute.get_endpoint().startswith("http://")


def test_servers_show_what_validation_needs(conn, openstack_lab):
    vms = {key: conn.compute.get_server(vm["id"]) for key, vm in openstack_lab["test_vms"].items() if key != "other_project"}
    assert vms["shutoff"].status == "SHUTOFF" and vms["error"].status == "ERROR" and vms["error"].fault["code"] == 500
    assert vms["image_booted"].image.id == openstack_lab["images"][0]["id"] and not vms["image_booted"].attached_volumes
    assert [v["id"] for v in vms["good"].attached_volumes] == by_key(openstack_lab, "good")["volumes"]
    two = vms["two_disks_two_nics"]
    assert set(two.addresses) == {"private", "storage-net"} and len(two.attached_volumes) == 2
    macs = sorted(a["OS-EXT-IPS-MAC:mac_addr"] for nets in two.addresses.values() for a in nets)
    assert macs == sorted(by_key(openstack_lab, "two_disks_two_nics")["macs"])
    floating = [a for a in vms["good"].addresses["private"] if a["OS-EXT-IPS:type"] == "floating"]
    assert len(floating) == 1
    assert vms["good"].flavor.original_name == "m1.small" and vms["good"].flavor.vcpus == 1
    old = conn.compute.get(f"/servers/{vms['good'].id}", microversion="2.1").json()["server"]
    assert old["image"] == ""  # what Nova shows for a server booted from a volume
    assert old["flavor"]["id"] == next(f["id"] for f in openstack_lab["flavors"] if f["name"] == "m1.small")
    interfaces = list(conn.compute.server_interfaces(two))
    assert sorted(i.mac_addr for i in interfaces) == sorted(by_key(openstack_lab, "two_disks_two_nics")["macs"])
    ports = list(conn.network.ports(device_id=two.id))
    assert sorted(p.mac_address for p in ports) == macs


def test_volumes_show_status_type_bootable_and_multiattach(conn, openstack_lab):
    error_vol = conn.block_storage.get_volume(by_key(openstack_lab, "volume_error")["volumes"][1])
    assert error_vol.status == "error"
    shared = conn.block_storage.get_volume(by_key(openstack_lab, "multiattach")["volumes"][1])
    assert shared.is_multiattach and shared.volume_type == "multiattach"
    boot = conn.block_storage.get_volume(by_key(openstack_lab, "good")["volumes"][0])
    assert boot.is_bootable and boot.status == "in-use" and boot.size == 1
    assert boot.attachments[0]["server_id"] == by_key(openstack_lab, "good")["id"]
    assert {t.name for t in conn.block_storage.types()} == {t["name"] for t in openstack_lab["volume_types"]}


def test_paging_follows_next_links(conn, openstack_lab):
    paged = [s.id for s in conn.compute.servers(limit=3)]
    assert len(paged) == len(set(paged)) == len(list(conn.compute.servers()))
    assert len(list(conn.block_storage.volumes(limit=2))) == len(list(conn.block_storage.volumes()))


def test_stop_and_start_a_server_and_see_it_in_changes_since(conn, openstack_lab):
    before = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - 1))
    server = conn.compute.get_server(by_key(openstack_lab, "good")["id"])
    conn.compute.stop_server(server)
    try:
        conn.compute.wait_for_server(server, status="SHUTOFF", wait=WAIT, interval=0.2)
        with pytest.raises(sdk_exceptions.ConflictException):
            conn.compute.stop_server(server)
    finally:
        conn.compute.start_server(server)
        conn.compute.wait_for_server(server, status="ACTIVE", wait=WAIT, interval=0.2)
    changed = {s.name for s in conn.compute.servers(changes_since=before)}
    assert server.name in changed and by_key(openstack_lab, "shutoff")["name"] not in changed


def test_preexisting_image_downloads_with_its_recorded_hash(conn, openstack_lab):
    recorded = openstack_lab["images"][0]
    image = conn.image.get_image(recorded["id"])
    assert image.status == "active" and image.size == recorded["size"]
    assert download(conn, image) == (recorded["blake3"], recorded["size"])


def test_available_volume_to_image_download_and_delete(conn, openstack_lab):
    recorded = volume_record(openstack_lab, "spare-volume")
    reply = conn.block_storage.upload_volume_to_image(recorded["id"], "spare-volume-image")
    assert reply["status"] == "uploading"
    try:
        image = conn.image.wait_for_status(conn.image.get_image(reply["image_id"]), "active", wait=WAIT, interval=0.2)
        assert image.size == recorded["size"] and image.disk_format == "raw"
        assert download(conn, image) == (recorded["blake3"], recorded["size"])
        conn.block_storage.wait_for_status(conn.block_storage.get_volume(recorded["id"]), "available", wait=WAIT)
    finally:
        conn.image.delete_image(reply["image_id"])
    with pytest.raises(sdk_exceptions.NotFoundException):
        conn.image.get_image(reply["image_id"])


def test_attached_volume_goes_through_snapshot_and_new_volume(conn, openstack_lab):
    recorded = volume_record(openstack_lab, f"{by_key(openstack_lab, 'good')['name']}-boot")
    with pytest.raises(sdk_exceptions.BadRequestException):
        conn.block_storage.upload_volume_to_image(recorded["id"], "in-use-volume")
    snap = conn.block_storage.create_snapshot(volume_id=recorded["id"], name="mtv-snapshot", force=True)
    snap = conn.block_storage.wait_for_status(snap, "available", wait=WAIT, interval=0.2)
    copy = conn.block_storage.create_volume(snapshot_id=snap.id, name="mtv-copy", size=recorded["size_gib"])
    copy = conn.block_storage.wait_for_status(copy, "available", wait=WAIT, interval=0.2)
    image_id = conn.block_storage.upload_volume_to_image(copy, "mtv-image")["image_id"]
    try:
        image = conn.image.wait_for_status(conn.image.get_image(image_id), "active", wait=WAIT, interval=0.2)
        assert download(conn, image) == (recorded["blake3"], recorded["size"])
    finally:
        conn.image.delete_image(image_id)
        conn.block_storage.wait_for_status(copy, "available", wait=WAIT, interval=0.2)
        conn.block_storage.delete_volume(copy)
        conn.block_storage.wait_for_delete(copy, wait=WAIT, interval=0.2)
        conn.block_storage.delete_snapshot(snap)
        conn.block_storage.wait_for_delete(snap, wait=WAIT, interval=0.2)


def test_create_image_of_an_image_booted_server_holds_its_root_disk(conn, openstack_lab):
    vm = by_key(openstack_lab, "image_booted")
    root = next(d for d in openstack_lab["root_disks"] if d["server_id"] == vm["id"])
    image = conn.compute.create_server_image(vm["id"], "root-disk-snapshot", wait=True, timeout=WAIT)
    try:
        assert image.properties["image_type"] == "snapshot" and image.instance_uuid == vm["id"]
        assert download(conn, image) == (root["blake3"], root["size"])
    finally:
        conn.image.delete_image(image)
    deadline = time.monotonic() + WAIT
    while conn.compute.get_server(vm["id"]).task_state and time.monotonic() < deadline:
        time.sleep(0.2)


def test_password_scoped_to_the_second_project_sees_only_its_server(openstack_lab):
    auth = auth_methods(openstack_lab)["password"]
    auth["auth"]["project_name"] = openstack_lab["other_project"]["name"]
    cloud = connect(openstack_lab, **auth)
    assert [s.name for s in cloud.compute.servers()] == [by_key(openstack_lab, "other_project")["name"]]
    assert cloud.current_project_id == openstack_lab["other_project"]["id"]


def test_uploaded_image_comes_back_and_makes_a_bootable_volume(conn):
    data = os.urandom(3 << 20) + bytes(5 << 20) + b"the end"
    image = conn.image.create_image(name="uploaded-by-test", data=data, disk_format="raw", container_format="bare")
    try:
        image = conn.image.wait_for_status(conn.image.get_image(image.id), "active", wait=WAIT, interval=0.2)
        assert image.size == len(data)
        assert download(conn, image) == (blake3.blake3(data).hexdigest(), len(data))
        volume = conn.block_storage.create_volume(image_id=image.id, size=1, name="from-uploaded-image")
        volume = conn.block_storage.wait_for_status(volume, "available", wait=WAIT, interval=0.2)
        assert volume.is_bootable and volume.volume_image_metadata["image_id"] == image.id
        conn.block_storage.delete_volume(volume)
        conn.block_storage.wait_for_delete(volume, wait=WAIT, interval=0.2)
    finally:
        conn.image.delete_image(image)


def test_create_image_of_a_volume_booted_server_snapshots_its_volumes(conn, openstack_lab):
    vm = by_key(openstack_lab, "two_disks_two_nics")
    image = conn.compute.create_server_image(vm["id"], "volume-backed-snapshot", wait=True, timeout=WAIT)
    mappings = []
    try:
        mappings = json.loads(image.properties["block_device_mapping"])
        snapshots = [conn.block_storage.get_snapshot(m["snapshot_id"]) for m in mappings]
        assert [s.volume_id for s in snapshots] == vm["volumes"]
        assert image.size == 0 and [m["boot_index"] for m in mappings] == [0, None]
    finally:
        conn.image.delete_image(image)
        for mapping in mappings:
            snap = conn.block_storage.wait_for_status(conn.block_storage.get_snapshot(mapping["snapshot_id"]),
                                                      "available", wait=WAIT, interval=0.2)
            conn.block_storage.delete_snapshot(snap)

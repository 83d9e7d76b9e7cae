"""The `ovirt` lab part: a simulated engine that ovirtsdk4 and ovirt-imageio's client work against."""

import base64
import json
import os
import re
import ssl
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import blake3
import ovirtsdk4 as sdk
import pytest
from ovirt_imageio import client as imageio_client
from ovirtsdk4 import types

ROOT = Path(__file__).resolve().parents[2]
DNS1123_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")


def connect(record, **overrides):
    options = {"url": record["url"], "username": record["user"], "password": record["password"],
               "ca_file": record["ca_file"], **overrides}
    return sdk.Connection(**options)


@pytest.fixture(scope="module")
def conn(ovirt_lab):
    connection = connect(ovirt_lab)
    yield connection
    connection.close()


def wait_for(check, timeout=15.0, interval=0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"condition not met within {timeout}s")


def lab_command(lab_dir, *args, timeout=600):
    env = {**os.environ, "MTVWEB_LAB_DIR": str(lab_dir)}
    return subprocess.run([sys.executable, "-m", "lab", *args], cwd=ROOT, env=env, check=True, timeout=timeout,
                          stdout=subprocess.PIPE, text=True)


def pid_running(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0] != "Z"


# --- bringing the part up -----------------------------------------------------------------


def test_lab_up_from_nothing_records_the_part_and_down_stops_it(tmp_path):
    lab_command(tmp_path, "up", "--parts", "ovirt")
    try:
        state = json.loads((tmp_path / "lab.json").read_text())
        record, pids = state["ovirt"], state["pids"]["ovirt"]
        assert record["url"].startswith("https://127.0.0.1:") and record["url"].endswith("/ovirt-engine/api")
        assert {"engine", "imageio"} <= {name.split("-")[-1] for name in pids}
        assert all(pid_running(pid) for pid in pids.values())
        assert record["vm_count"] >= len(record["test_vms"])
        assert all(Path(d["path"]).exists() for d in record["disks"])
        # a second `up` keeps the running part
        lab_command(tmp_path, "up", "--parts", "ovirt")
        assert json.loads((tmp_path / "lab.json").read_text())["pids"]["ovirt"] == pids
    finally:
        lab_command(tmp_path, "down", "--parts", "ovirt")
    assert not any(pid_running(pid) for pid in pids.values())


def test_inventory_size_follows_the_option(tmp_path):
    lab_command(tmp_path, "up", "--parts", "ovirt", "--ovirt-vms", "600")
    try:
        record = json.loads((tmp_path / "lab.json").read_text())["ovirt"]
        assert record["vm_count"] == 600
        with connect(record) as connection:
            vms = connection.system_service().vms_service().list()
            assert len(vms) == 600
            assert len({vm.id for vm in vms}) == 600
            assert len(connection.system_service().vms_service().list(search="name=vm-01*")) == 100
        bulk = {vm.id for vm in vms if vm.name.startswith("vm-")}
        assert len(bulk) == 600 - len(record["test_vms"])
        recorded = [d["vm_id"] for d in record["disks"] if d["vm_id"] in bulk]
        assert sorted(recorded) == sorted(bulk)  # one disk with known content each
    finally:
        lab_command(tmp_path, "down", "--parts", "ovirt")


# --- connecting -----------------------------------------------------------------------------


def test_sdk_connects_with_the_ca_file(conn):
    api = conn.system_service().get()
    assert api.product_info.name == "oVirt Engine"
    assert api.product_info.version.major == 4
    assert conn.test(raise_exception=True)


def test_sdk_without_the_ca_fails_with_an_ssl_error(ovirt_lab):
    connection = connect(ovirt_lab, ca_file=None)
    with pytest.raises(sdk.Error, match="SSL certificate"):
        connection.test(raise_exception=True)


def test_wrong_password_raises_auth_error(ovirt_lab):
    connection = connect(ovirt_lab, password="not-the-password")
    with pytest.raises(sdk.AuthError, match="access_denied.*username or password is incorrect"):
        connection.test(raise_exception=True)


def test_ca_url_serves_the_engine_ca(ovirt_lab):
    insecure = ssl._create_unverified_context()  # like a user fetching the CA before trusting it
    with urllib.request.urlopen(ovirt_lab["ca_url"], context=insecure, timeout=10) as response:
        assert response.read() == Path(ovirt_lab["ca_file"]).read_bytes()


def test_logout_revokes_the_token(ovirt_lab):
    connection = connect(ovirt_lab)
    token = connection.authenticate()
    connection.close()
    reuse = sdk.Connection(url=ovirt_lab["url"], token=token, ca_file=ovirt_lab["ca_file"])
    with pytest.raises(sdk.Error):
        reuse.system_service().vms_service().list(max=1)


# --- reading the inventory ------------------------------------------------------------------


def test_vms_list_with_disk_attachments_and_nics(conn, ovirt_lab):
    vms = conn.system_service().vms_service().list(follow="disk_attachments.disk,nics.vnic_profile")
    assert len(vms) == ovirt_lab["vm_count"]
    by_id = {vm.id: vm for vm in vms}
    two = by_id[ovirt_lab["test_vms"]["two_disks_two_nics"]["id"]]
    recorded = {d["disk_id"]: d for d in ovirt_lab["disks"] if d["vm_id"] == two.id}
    attachments = {a.disk.id: a for a in two.disk_attachments}
    assert set(attachments) == set(recorded)
    assert {a.disk.format for a in attachments.values()} == {types.DiskFormat.RAW, types.DiskFormat.COW}
    for disk_id, attachment in attachments.items():
        assert attachment.disk.provisioned_size == recorded[disk_id]["capacity"]
        assert attachment.active is True
    assert sum(a.bootable for a in attachments.values()) == 1
    networks = {nic.vnic_profile.network.id for nic in two.nics}
    assert len(two.nics) == 2 and len(networks) == 2
    assert all(re.fullmatch(r"([0-9a-f]{2}:){5}[0-9a-f]{2}", nic.mac.address) for nic in two.nics)


def test_links_can_be_followed(conn, ovirt_lab):
    vms_service = conn.system_service().vms_service()
    vm = vms_service.vm_service(ovirt_lab["test_vms"]["two_disks_two_nics"]["id"]).get()
    assert vm.disk_attachments.href.endswith("/diskattachments")
    attachments = conn.follow_link(vm.disk_attachments)
    disk = conn.follow_link(attachments[0].disk)
    domain = conn.follow_link(disk.storage_domains[0])
    assert domain.type == types.StorageDomainType.DATA
    nic = conn.follow_link(vm.nics)[0]
    network = conn.follow_link(conn.follow_link(nic.vnic_profile).network)
    assert conn.follow_link(network.data_center).name == ovirt_lab["datacenter"]["name"]
    cluster = conn.follow_link(vm.cluster)
    assert cluster.cpu.architecture == types.Architecture.X86_64
    assert [s.snapshot_type for s in conn.follow_link(vm.snapshots)] == [types.SnapshotType.ACTIVE]


def test_vms_built_for_validation_have_their_traits(conn, ovirt_lab):
    vms_service = conn.system_service().vms_service()
    roles = ovirt_lab["test_vms"]

    def vm(role):
        return vms_service.vm_service(roles[role]["id"]).get(follow="disk_attachments.disk,nics")

    assert vm("running").status == types.VmStatus.UP and vm("running").host is not None
    assert vm("down").status == types.VmStatus.DOWN
    assert vm("secure_boot").bios.type == types.BiosType.Q35_SECURE_BOOT
    assert vm("two_disks_two_nics").bios.type == types.BiosType.Q35_OVMF
    assert vm("illegal_disk").has_illegal_images is True
    assert [a.disk.status for a in vm("illegal_disk").disk_attachments] == [types.DiskStatus.ILLEGAL]
    assert [a.disk.status for a in vm("locked_disk").disk_attachments] == [types.DiskStatus.LOCKED]
    shared = [a.disk for a in vm("shared_disk").disk_attachments if a.disk.shareable]
    assert len(shared) == 1
    assert shared[0].id in {a.disk.id for a in vm("shared_disk_peer").disk_attachments}
    lun = [a.disk for a in vm("lun_disk").disk_attachments if a.disk.storage_type == types.DiskStorageType.LUN]
    assert len(lun) == 1 and lun[0].lun_storage.logical_units[0].target
    assert not DNS1123_LABEL.match(vm("invalid_name").name)
    block = vm("unsupported_storage").disk_attachments[0].disk
    unsupported = ovirt_lab["storage_domains"][ovirt_lab["unsupported_storage_domain"]]
    assert block.storage_domains[0].id == unsupported["id"]
    tuned = vm("tuned")
    assert tuned.high_availability.enabled and tuned.placement_policy.affinity == types.VmAffinity.PINNED
    assert [(p.name, p.value) for p in tuned.custom_properties] == [("sndbuf", "0")]
    assert any(n.interface == types.NicInterface.PCI_PASSTHROUGH for n in tuned.nics)


def test_search_filters_collections(conn, ovirt_lab):
    vms_service = conn.system_service().vms_service()
    up = vms_service.list(search="status=up")
    assert up and all(vm.status == types.VmStatus.UP for vm in up)
    assert ovirt_lab["test_vms"]["running"]["id"] in {vm.id for vm in up}
    named = vms_service.list(search="name=mtv-shared-disk*")
    assert {vm.name for vm in named} == {"mtv-shared-disk", "mtv-shared-disk-peer"}
    assert len(vms_service.list(max=3)) == 3
    dcs = conn.system_service().data_centers_service().list(search="storage.name=nfs-data")
    assert [dc.id for dc in dcs] == [ovirt_lab["datacenter"]["id"]]


# --- changing the inventory -----------------------------------------------------------------


@pytest.fixture
def scratch_vm(conn, ovirt_lab):
    """A VM made for one test (so the shared test VMs keep their state), removed afterwards."""
    vms_service = conn.system_service().vms_service()
    name = f"scratch-{os.getpid()}-{time.monotonic_ns() % 100000}"
    vm = vms_service.add(types.Vm(name=name, cluster=types.Cluster(name="Default"),
                                  template=types.Template(name="Blank")))
    service = vms_service.vm_service(vm.id)
    yield service
    if service.get().status != types.VmStatus.DOWN:
        service.stop()
        wait_for(lambda: service.get().status == types.VmStatus.DOWN)
    service.remove()


def test_stopping_a_vm_shows_up_as_an_event(conn, scratch_vm):
    events = conn.system_service().events_service()
    last = int(events.list(max=1)[0].id)
    scratch_vm.start()
    wait_for(lambda: scratch_vm.get().status == types.VmStatus.UP)
    scratch_vm.stop()
    wait_for(lambda: scratch_vm.get().status == types.VmStatus.DOWN)
    vm_id = scratch_vm.get().id
    new = events.list(from_=last, search="type=61 or type=32")
    assert [e.code for e in new if e.vm.id == vm_id] == [61, 32]  # newest first
    assert all(int(e.id) > last for e in events.list(from_=last))
    with pytest.raises(sdk.Error, match="409"):
        scratch_vm.stop()


def test_updates_are_visible_and_logged(conn, scratch_vm):
    events = conn.system_service().events_service()
    last = int(events.list(max=1)[0].id)
    scratch_vm.update(types.Vm(description="edited by a test", memory=3 * 2**30))
    vm = scratch_vm.get()
    assert (vm.description, vm.memory) == ("edited by a test", 3 * 2**30)
    assert [e.code for e in events.list(from_=last) if e.vm and e.vm.id == vm.id] == [35]


# --- disk bytes through image transfers ------------------------------------------------------


def _transfer(conn, disk_id):
    transfers = conn.system_service().image_transfers_service()
    transfer = transfers.add(types.ImageTransfer(disk=types.Disk(id=disk_id), format=types.DiskFormat.RAW,
                                                 direction=types.ImageTransferDirection.DOWNLOAD))
    service = transfers.image_transfer_service(transfer.id)
    transfer = wait_for(lambda: (t := service.get()).phase != types.ImageTransferPhase.INITIALIZING and t)
    assert transfer.phase == types.ImageTransferPhase.TRANSFERRING
    return service, transfer


def _finalize(conn, service, disk_id):
    service.finalize()
    wait_for(lambda: service.get().phase == types.ImageTransferPhase.FINISHED_SUCCESS)
    assert conn.system_service().disks_service().disk_service(disk_id).get().status == types.DiskStatus.OK


@pytest.mark.parametrize("disk_format", ["raw", "cow"])
def test_download_through_imageio_matches_the_recorded_blake3(conn, ovirt_lab, tmp_path, disk_format):
    vm_id = ovirt_lab["test_vms"]["two_disks_two_nics"]["id"]
    disk = next(d for d in ovirt_lab["disks"] if d["vm_id"] == vm_id and d["format"] == disk_format)
    service, transfer = _transfer(conn, disk["disk_id"])
    assert conn.system_service().disks_service().disk_service(disk["disk_id"]).get().status == types.DiskStatus.LOCKED
    target = tmp_path / "disk.raw"
    imageio_client.download(transfer.transfer_url, str(target), ovirt_lab["ca_file"], fmt="raw")
    _finalize(conn, service, disk["disk_id"])
    assert target.stat().st_size == disk["capacity"]
    digest = blake3.blake3()
    with open(target, "rb") as f:
        while chunk := f.read(8 << 20):
            digest.update(chunk)
    assert digest.hexdigest() == disk["blake3"]


def test_imageio_reports_extents_with_holes(conn, ovirt_lab):
    disk = next(d for d in ovirt_lab["disks"] if d["vm_id"] == ovirt_lab["test_vms"]["down"]["id"])
    service, transfer = _transfer(conn, disk["disk_id"])
    try:
        with imageio_client.ImageioClient(transfer.transfer_url, cafile=ovirt_lab["ca_file"]) as io:
            extents = list(io.extents())
            assert io.size() == disk["capacity"]
    finally:
        _finalize(conn, service, disk["disk_id"])
    assert sum(e.length for e in extents) == disk["capacity"]
    data = sum(e.length for e in extents if not e.zero)
    assert 0 < data < disk["capacity"] // 4


@pytest.mark.parametrize("role, reason", [
    ("running", "not down"), ("illegal_disk", "illegal"), ("locked_disk", "locked"), ("lun_disk", "not an image"),
])
def test_engine_refuses_transfers_it_cannot_serve(conn, ovirt_lab, role, reason):
    vm_service = conn.system_service().vms_service().vm_service(ovirt_lab["test_vms"][role]["id"])
    attachments = vm_service.disk_attachments_service().list(follow="disk")
    disk = next(a.disk for a in attachments if role != "lun_disk" or a.disk.storage_type == types.DiskStorageType.LUN)
    transfers = conn.system_service().image_transfers_service()
    with pytest.raises(sdk.Error, match=reason):
        transfers.add(types.ImageTransfer(disk=types.Disk(id=disk.id), format=types.DiskFormat.RAW,
                                          direction=types.ImageTransferDirection.DOWNLOAD))


def test_json_for_plain_rest_clients(ovirt_lab):
    """Clients that skip the SDK (Forklift's) ask for JSON with HTTP basic auth; values come as strings."""
    credentials = base64.b64encode(f"{ovirt_lab['user']}:{ovirt_lab['password']}".encode()).decode()
    vm_id = ovirt_lab["test_vms"]["two_disks_two_nics"]["id"]
    request = urllib.request.Request(
        f"{ovirt_lab['url']}/vms/{vm_id}?follow=disk_attachments,nics",
        headers={"Accept": "application/json", "Authorization": f"Basic {credentials}"},
    )
    context = ssl.create_default_context(cafile=ovirt_lab["ca_file"])
    with urllib.request.urlopen(request, context=context, timeout=10) as response:
        assert response.headers["Content-Type"].startswith("application/json")
        vm = json.loads(response.read())
    assert vm["id"] == vm_id and vm["status"] == "down"
    assert vm["cpu"]["topology"]["sockets"] == "2"
    recorded = {d["disk_id"] for d in ovirt_lab["disks"] if d["vm_id"] == vm_id}
    assert {a["disk"]["id"] for a in vm["disk_attachments"]["disk_attachment"]} == recorded
    assert len(vm["nics"]["nic"]) == 2
    assert {"rel": "nics", "href": f"/ovirt-engine/api/vms/{vm_id}/nics"} in vm["link"]


def test_cancel_ends_the_transfer_and_removes_its_ticket(conn, ovirt_lab):
    disk = next(d for d in ovirt_lab["disks"] if d["vm_id"] == ovirt_lab["test_vms"]["down"]["id"])
    service, transfer = _transfer(conn, disk["disk_id"])
    context = ssl.create_default_context(cafile=ovirt_lab["ca_file"])
    first_block = urllib.request.Request(transfer.transfer_url, headers={"Range": "bytes=0-4095"})
    with urllib.request.urlopen(first_block, context=context, timeout=10) as response:
        assert response.status == 206 and len(response.read()) == 4096
    service.cancel()
    wait_for(lambda: service.get().phase == types.ImageTransferPhase.FINISHED_FAILURE)
    assert conn.system_service().disks_service().disk_service(disk["disk_id"]).get().status == types.DiskStatus.OK
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(first_block, context=context, timeout=10)
    assert refused.value.code == 403

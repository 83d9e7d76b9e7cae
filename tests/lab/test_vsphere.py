"""The vSphere lab part: vcsim seen through pyvmomi and the datastore /folder/ endpoint.

Run the 10,000-VM test on its own with `-k ten_thousand` (or leave it out with `-k "not ten_thousand"`).
"""

import hashlib
import json
import os
import re
import shutil
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import blake3
import pytest
from pyVim.connect import Disconnect, SmartConnect
from pyVim.task import WaitForTask
from pyVmomi import vim, vmodl

pytestmark = pytest.mark.lab

ROOT = Path(__file__).resolve().parents[2]
PC = vmodl.query.PropertyCollector
VM_PROPS = [
    "name",
    "runtime.powerState",
    "runtime.host",
    "config.hardware.device",
    "config.firmware",
    "config.changeTrackingEnabled",
    "snapshot",
    "parent",
]
DNS1123 = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")


def connect(record, **kwargs):
    auth = {"host": record["host"], "port": record["port"], "user": record["user"], "pwd": record["password"]}
    return SmartConnect(**{**auth, **kwargs})


def sha1_colons(der: bytes) -> str:
    return ":".join(f"{b:02X}" for b in hashlib.sha1(der).digest())


def pinned(record):
    """Connect trusting exactly the certificate whose thumbprint the user pasted. (pyvmomi's own
    `thumbprint=` is only checked after a failed verification, and SmartConnect's version probe
    fails before that, so a client pins the served certificate itself.)"""
    pem = ssl.get_server_certificate((record["host"], record["port"]))
    assert sha1_colons(ssl.PEM_cert_to_DER_cert(pem)) == record["thumbprint"]
    context = ssl.create_default_context(cadata=pem)
    context.verify_flags |= ssl.VERIFY_X509_PARTIAL_CHAIN
    return connect(record, sslContext=context)


@pytest.fixture(scope="module")
def si(vsphere_lab):
    si = pinned(vsphere_lab)
    yield si
    Disconnect(si)


def retrieve(si, obj_type, props):
    """ContainerView + RetrievePropertiesEx (following tokens), as an inventory collector does."""
    content = si.RetrieveContent()
    view = content.viewManager.CreateContainerView(content.rootFolder, [obj_type], True)
    spec = PC.FilterSpec(
        objectSet=[
            PC.ObjectSpec(
                obj=view,
                skip=True,
                selectSet=[
                    PC.TraversalSpec(name="view", path="view", skip=False, type=vim.view.ContainerView)
                ],
            )
        ],
        propSet=[PC.PropertySpec(type=obj_type, pathSet=props)],
    )
    collector = content.propertyCollector
    result = collector.RetrievePropertiesEx([spec], PC.RetrieveOptions(maxObjects=500))
    objects = []
    while result:
        objects += result.objects
        result = collector.ContinueRetrievePropertiesEx(result.token) if result.token else None
    view.Destroy()
    return {o.obj._moId: {p.name: p.val for p in o.propSet} for o in objects}


@pytest.fixture(scope="module")
def vms(si):
    return retrieve(si, vim.VirtualMachine, VM_PROPS)


def devices(vm, kind):
    return [d for d in vm["config.hardware.device"] if isinstance(d, kind)]


def test_record_describes_how_to_connect(vsphere_lab):
    assert vsphere_lab["url"] == f"https://{vsphere_lab['host']}:{vsphere_lab['port']}/sdk"
    assert vsphere_lab["host"] == "127.0.0.1"
    assert re.fullmatch(r"([0-9A-F]{2}:){19}[0-9A-F]{2}", vsphere_lab["thumbprint"])
    der = ssl.PEM_cert_to_DER_cert(Path(vsphere_lab["cert_file"]).read_text())
    assert sha1_colons(der) == vsphere_lab["thumbprint"]
    served = ssl.PEM_cert_to_DER_cert(ssl.get_server_certificate((vsphere_lab["host"], vsphere_lab["port"])))
    assert served == der
    assert vsphere_lab["vm_count"] == 18
    assert {
        "cbt_on",
        "cbt_off",
        "uefi",
        "two_disks_two_nics",
        "invalid_name",
        "shared_disk",
        "snapshots",
    } <= set(vsphere_lab["test_vms"])


def test_login_with_pinned_certificate_or_ca_and_wrong_password_fails(vsphere_lab):
    for si in (
        pinned(vsphere_lab),
        connect(vsphere_lab, sslContext=ssl.create_default_context(cafile=vsphere_lab["ca_file"])),
    ):
        assert si.content.about.apiType == "VirtualCenter"
        assert si.content.sessionManager.currentSession.userName == vsphere_lab["user"]
        Disconnect(si)
    with pytest.raises(vim.fault.InvalidLogin):
        pinned({**vsphere_lab, "password": vsphere_lab["password"] + "x"})
    with pytest.raises(vim.fault.InvalidLogin):
        pinned({**vsphere_lab, "user": "root"})


def test_inventory_lists_every_vm_with_recorded_disks_and_distinct_macs(vsphere_lab, vms):
    by_name = {vm["name"]: vm for vm in vms.values()}
    assert len(by_name) == vsphere_lab["vm_count"]
    for role, entry in vsphere_lab["test_vms"].items():
        assert by_name[entry["name"]] is vms[entry["moref"]], role
    for disk in vsphere_lab["disks"]:
        vm = vms[disk["vm_moref"]]
        [found] = [d for d in devices(vm, vim.vm.device.VirtualDisk) if d.backing.fileName == disk["path"]]
        assert found.capacityInBytes == disk["capacity"], disk["path"]
        assert found.capacityInKB * 1024 == disk["capacity"]
    recorded = {(d["vm_moref"], d["path"]) for d in vsphere_lab["disks"]}
    listed = {
        (ref, d.backing.fileName) for ref, vm in vms.items() for d in devices(vm, vim.vm.device.VirtualDisk)
    }
    assert listed == recorded
    macs = [nic.macAddress for vm in vms.values() for nic in devices(vm, vim.vm.device.VirtualEthernetCard)]
    assert len(macs) == len(set(macs)) > len(vms)
    assert {vm["runtime.powerState"] for vm in vms.values()} == {"poweredOn", "poweredOff"}
    assert {len(devices(vm, vim.vm.device.VirtualDisk)) for vm in vms.values()} >= {1, 2, 3}


def test_test_vms_have_their_traits(vsphere_lab, vms):
    vm = {role: vms[entry["moref"]] for role, entry in vsphere_lab["test_vms"].items()}
    assert vm["cbt_on"]["config.changeTrackingEnabled"] is True
    assert vm["cbt_off"]["config.changeTrackingEnabled"] is False
    assert vm["uefi"]["config.firmware"] == "efi"
    assert vm["cbt_off"]["config.firmware"] == "bios"
    nics = devices(vm["two_disks_two_nics"], vim.vm.device.VirtualEthernetCard)
    assert len(devices(vm["two_disks_two_nics"], vim.vm.device.VirtualDisk)) == 2
    assert len(nics) == 2 and type(nics[0].backing) is not type(nics[1].backing)
    assert not DNS1123.match(vm["invalid_name"]["name"])
    shared = [
        {
            d.backing.fileName
            for d in devices(vm[role], vim.vm.device.VirtualDisk)
            if d.backing.sharing == "sharingMultiWriter"
        }
        for role in ("shared_disk", "shared_disk_peer")
    ]
    assert len(shared[0]) == 1 and shared[0] == shared[1]
    tree = vm["snapshots"]["snapshot"].rootSnapshotList
    assert [tree[0].name, tree[0].childSnapshotList[0].name] == ["before-patch", "after-patch"]


def test_inventory_has_the_shape_of_a_real_vcenter(si):
    datacenters = retrieve(si, vim.Datacenter, ["name"])
    clusters = retrieve(si, vim.ClusterComputeResource, ["name", "host"])
    folders = retrieve(si, vim.Folder, ["name", "parent", "childType"])
    datastores = retrieve(si, vim.Datastore, ["name", "summary.capacity"])
    networks = retrieve(si, vim.Network, ["name"])
    assert len(datacenters) == 2
    assert len(clusters) >= 3 and all(len(c["host"]) >= 2 for c in clusters.values())
    vm_folders = {ref: f for ref, f in folders.items() if "VirtualMachine" in f["childType"]}
    nested = [
        f
        for f in vm_folders.values()
        if f["parent"]._moId in vm_folders and vm_folders[f["parent"]._moId]["name"] != "vm"
    ]
    assert nested, "expected VM folders inside VM folders"
    assert len(datastores) >= 2
    kinds = {type(n) for n in si.content.searchIndex.FindByInventoryPath("DC0/network").childEntity}
    assert {vim.Network, vim.dvs.DistributedVirtualPortgroup} <= kinds
    assert len(networks) >= 4


def read_folder(url, cookie, cafile, chunk=4 << 20):
    """Read a datastore file through /folder/ in Range requests; return (blake3, size)."""
    context = ssl.create_default_context(cafile=cafile)
    digest, offset, total = blake3.blake3(), 0, None
    while total is None or offset < total:
        request = urllib.request.Request(
            url, headers={"Cookie": cookie, "Range": f"bytes={offset}-{offset + chunk - 1}"}
        )
        with urllib.request.urlopen(request, context=context, timeout=30) as resp:
            assert resp.status == 206
            total = int(resp.headers["Content-Range"].rsplit("/", 1)[1])
            data = resp.read()
        assert data, "empty range"
        digest.update(data)
        offset += len(data)
    return digest.hexdigest(), offset


def test_disk_bytes_over_folder_match_recorded_blake3(vsphere_lab, si):
    cookie = si._stub.cookie
    for disk in vsphere_lab["disks"]:
        digest, size = read_folder(disk["url"], cookie, vsphere_lab["ca_file"])
        assert size == disk["capacity"], disk["path"]
        assert digest == disk["blake3"], disk["path"]


def test_recorded_disks_are_sparse_with_distinct_content(vsphere_lab):
    disks = vsphere_lab["disks"]
    manifest = json.loads(Path(vsphere_lab["manifest"]).read_text())
    local = {d["file"]: d["local_path"] for vm in manifest["vms"] for d in vm["disks"]}
    for disk in disks:
        assert 0 < disk["allocated_bytes"] < disk["capacity"]
        assert os.stat(local[disk["path"]]).st_blocks * 512 < disk["capacity"]
    unshared = [d["blake3"] for d in disks if not d["shared"]]
    assert len(set(unshared)) == len(unshared)
    assert any(d["capacity"] >= 32 << 20 for d in disks)


def fetch_status(url, cafile, headers):
    try:
        with urllib.request.urlopen(
            urllib.request.Request(url, headers=headers),
            context=ssl.create_default_context(cafile=cafile),
            timeout=10,
        ) as resp:
            return resp.status
    except urllib.error.HTTPError as exc:
        return exc.code


def test_folder_requires_a_live_session_or_basic_credentials(vsphere_lab):
    disk = vsphere_lab["disks"][0]
    ca = vsphere_lab["ca_file"]
    ranged = {"Range": "bytes=0-511"}
    assert fetch_status(disk["url"], ca, ranged) == 401
    assert fetch_status(disk["url"], ca, {**ranged, "Cookie": "vmware_soap_session=not-a-session"}) == 401
    si = pinned(vsphere_lab)
    cookie = si._stub.cookie
    assert fetch_status(disk["url"], ca, {**ranged, "Cookie": cookie}) == 206
    Disconnect(si)
    assert fetch_status(disk["url"], ca, {**ranged, "Cookie": cookie}) == 401
    basic = urllib.request.HTTPBasicAuthHandler()
    basic.add_password("VMware HTTP server", disk["url"], vsphere_lab["user"], vsphere_lab["password"])
    opener = urllib.request.build_opener(
        basic, urllib.request.HTTPSHandler(context=ssl.create_default_context(cafile=ca))
    )
    with opener.open(urllib.request.Request(disk["url"], headers=ranged), timeout=10) as resp:
        assert resp.status == 206 and len(resp.read()) == 512


def lab(command, lab_dir, *args, timeout=900):
    env = {**os.environ, "MTVWEB_LAB_DIR": str(lab_dir)}
    out = subprocess.run(
        [sys.executable, "-m", "lab", command, "--parts", "vsphere", *args],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.PIPE,
        text=True,
        timeout=timeout,
    )
    return out.stdout


@pytest.fixture
def private_lab_dir(tmp_path):
    """A lab state dir of the test's own, so restarts never disturb the session's lab."""
    lab_dir = tmp_path / "lab"
    yield lab_dir
    if (lab_dir / "lab.json").exists():
        lab("down", lab_dir)
    shutil.rmtree(lab_dir, ignore_errors=True)


def test_second_instance_serves_same_certificate_and_same_disks(vsphere_lab, private_lab_dir):
    lab("up", private_lab_dir)
    other = json.loads((private_lab_dir / "lab.json").read_text())["vsphere"]
    assert other["port"] != vsphere_lab["port"]
    assert other["thumbprint"] == vsphere_lab["thumbprint"]
    digests = {d["path"]: d["blake3"] for d in vsphere_lab["disks"]}
    assert {d["path"]: d["blake3"] for d in other["disks"]} == digests


def test_ten_thousand_vms(private_lab_dir):
    started = time.monotonic()
    lab("up", private_lab_dir, "--vsphere-vms", "10000", timeout=1800)
    up_seconds = time.monotonic() - started
    record = json.loads((private_lab_dir / "lab.json").read_text())["vsphere"]
    assert record["vm_count"] == 10_000
    si = pinned(record)
    started = time.monotonic()
    vms = retrieve(si, vim.VirtualMachine, ["name", "runtime.powerState", "summary.config.numVirtualDisks"])
    walk_seconds = time.monotonic() - started
    Disconnect(si)
    assert len({vm["name"] for vm in vms.values()}) == 10_000
    assert sum(vm["summary.config.numVirtualDisks"] for vm in vms.values()) == len(record["disks"])
    print(f"lab up with 10,000 VMs: {up_seconds:.0f}s; PropertyCollector walk: {walk_seconds:.1f}s")


def changed_areas(vm, snapshot, key, capacity, change_id):
    """All areas of QueryChangedDiskAreas, following startOffset/length as a backup client does."""
    areas, offset = [], 0
    while offset < capacity:
        info = vm.QueryChangedDiskAreas(
            snapshot=snapshot, deviceKey=key, startOffset=offset, changeId=change_id
        )
        areas += [(a.start, a.length) for a in info.changedArea or []]
        offset = info.startOffset + info.length
    return areas


def snapshot_change_id(snapshot, key):
    [disk] = [d for d in snapshot.config.hardware.device if d.key == key]
    return disk.backing.changeId


def fetch_ranges(url, cookie, cafile, image, areas):
    context = ssl.create_default_context(cafile=cafile)
    for start, length in areas:
        request = urllib.request.Request(
            url, headers={"Cookie": cookie, "Range": f"bytes={start}-{start + length - 1}"}
        )
        with urllib.request.urlopen(request, context=context, timeout=30) as resp:
            image[start : start + length] = resp.read()


def guest_write(record, cookie, **body):
    request = urllib.request.Request(
        record["disk_write_url"],
        data=json.dumps(body).encode(),
        headers={"Cookie": cookie, "Content-Type": "application/json"},
    )
    context = ssl.create_default_context(cafile=record["ca_file"])
    with urllib.request.urlopen(request, context=context, timeout=30) as resp:
        return json.loads(resp.read())["blake3"]


def test_changed_block_tracking_supports_a_warm_copy(private_lab_dir):
    """Full copy from snapshot 1 ('*'), guest writes, then only the changed areas up to snapshot 2."""
    lab("up", private_lab_dir)
    record = json.loads((private_lab_dir / "lab.json").read_text())["vsphere"]
    si = pinned(record)
    cookie, ca = si._stub.cookie, record["ca_file"]
    vm = vim.VirtualMachine(record["test_vms"]["cbt_on"]["moref"], si._stub)
    [disk] = [d for d in record["disks"] if d["vm_moref"] == vm._moId]
    key, capacity = disk["key"], disk["capacity"]

    WaitForTask(vm.CreateSnapshot_Task("warm-1", "", False, False))
    first = vm.snapshot.currentSnapshot
    allocated = changed_areas(vm, first, key, capacity, "*")
    assert sum(n for _, n in allocated) == disk["allocated_bytes"]
    image = bytearray(capacity)
    fetch_ranges(disk["url"], cookie, ca, image, allocated)
    assert blake3.blake3(bytes(image)).hexdigest() == disk["blake3"]

    guest_write(record, cookie, vm=vm._moId, disk_key=key, offset=1 << 20, length=8192, seed="guest-1")
    expected = guest_write(
        record, cookie, vm=vm._moId, disk_key=key, offset=capacity - (6 << 20), length=3 << 20, seed="guest-2"
    )
    assert expected != disk["blake3"]
    WaitForTask(vm.CreateSnapshot_Task("warm-2", "", False, False))
    second = vm.snapshot.currentSnapshot
    delta = changed_areas(vm, second, key, capacity, snapshot_change_id(first, key))
    assert delta == [(1 << 20, 8192), (capacity - (6 << 20), 3 << 20)]
    fetch_ranges(disk["url"], cookie, ca, image, delta)
    assert blake3.blake3(bytes(image)).hexdigest() == expected
    assert changed_areas(vm, second, key, capacity, snapshot_change_id(second, key)) == []

    with pytest.raises(vim.fault.FileFault):
        vm.QueryChangedDiskAreas(snapshot=second, deviceKey=key, startOffset=0, changeId="52 00/1")
    no_cbt = vim.VirtualMachine(record["test_vms"]["cbt_off"]["moref"], si._stub)
    with pytest.raises(vim.fault.FileFault):
        no_cbt.QueryChangedDiskAreas(snapshot=None, deviceKey=key, startOffset=0, changeId="*")
    Disconnect(si)

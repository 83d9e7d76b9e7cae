"""oVirt providers against the lab's simulated engine: create, refuse bad input, load, follow changes."""

import base64
import contextlib
import datetime
import json
import ssl
import time
import urllib.request

import ovirtsdk4 as sdk
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse
from ovirtsdk4 import types

from providers.adapters import ProviderError, adapter_for
from providers.adapters.ovirt import inventory
from providers.adapters.ovirt.client import OvirtClient
from providers.adapters.ovirt.forms import OvirtProviderForm
from providers.inventory.store import InventoryStore
from providers.models import InventoryObject, Provider, VirtualMachine
from tests.providers.helpers import Relay, closed_port, following, wait_for

pytestmark = pytest.mark.lab


# --- helpers ------------------------------------------------------------------------------


def ca_pem(lab) -> str:
    return open(lab["ca_file"]).read()


def form_data(lab, **overrides):
    data = {"type": "ovirt", "name": "rhv", "namespace": "team-a", "url": lab["url"], "user": lab["user"],
            "password": lab["password"], "cacert": ca_pem(lab)}
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def make_provider(lab, url=None) -> Provider:
    provider = Provider(type="ovirt", namespace="team-a", name="rhv", url=url or lab["url"])
    provider.set_credentials({"user": lab["user"], "password": lab["password"], "cacert": ca_pem(lab)})
    provider.save()
    return provider


def load(provider):
    collector = adapter_for(provider).collector()
    started = time.monotonic()
    InventoryStore(provider).replace(collector.load())
    return collector, time.monotonic() - started


@contextlib.contextmanager
def engine(lab):
    """The lab engine through ovirtsdk4, as an administrator would change it."""
    conn = sdk.Connection(url=lab["url"], username=lab["user"], password=lab["password"], ca_file=lab["ca_file"])
    try:
        yield conn.system_service()
    finally:
        conn.close()


def engine_json(lab, path):
    """The engine's JSON rendering, read without the SDK: an independent view of what the engine holds."""
    request = urllib.request.Request(lab["url"] + path, headers={
        "Accept": "application/json",
        "Authorization": "Basic " + base64.b64encode(f"{lab['user']}:{lab['password']}".encode()).decode()})
    with urllib.request.urlopen(request, context=ssl.create_default_context(cafile=lab["ca_file"]), timeout=30) as r:
        return json.load(r)


def foreign_ca() -> str:
    """A CA certificate that did not sign the engine's certificate."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Some other CA")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now)
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True).sign(key, hashes.SHA256()))
    return cert.public_bytes(serialization.Encoding.PEM).decode()


@pytest.fixture
def admin_client(client, people):
    client.force_login(people["admin"])
    return client


# --- creating a provider -----------------------------------------------------------------


@pytest.mark.django_db
def test_create_with_the_lab_credentials_stores_them_encrypted(admin_client, ovirt_lab):
    response = admin_client.post(reverse("providers:provider_add") + "?type=ovirt", form_data(ovirt_lab))
    assert response.status_code == 302, response.content.decode()[:3000]
    provider = Provider.objects.get(name="rhv")
    assert (provider.type, provider.status, provider.url) == ("ovirt", "Staging", ovirt_lab["url"])
    stored = provider.credentials()
    assert (stored["user"], stored["password"]) == (ovirt_lab["user"], ovirt_lab["password"])
    assert stored["cacert"].strip() == ca_pem(ovirt_lab).strip() and "insecureSkipVerify" not in stored
    with connection.cursor() as cursor:
        cursor.execute("SELECT ciphertext FROM providers_secret WHERE id = %s", [provider.secret_id])
        ciphertext = bytes(cursor.fetchone()[0])
    assert ovirt_lab["password"].encode() not in ciphertext and b"BEGIN CERTIFICATE" not in ciphertext
    edit_page = admin_client.get(reverse("providers:provider_edit", args=[provider.pk])).content.decode()
    assert ovirt_lab["password"] not in edit_page and 'placeholder="unchanged"' in edit_page
    # Saving the edit form without a password keeps the stored one (the connection test uses it).
    response = admin_client.post(reverse("providers:provider_edit", args=[provider.pk]),
                                 form_data(ovirt_lab, password="", name="rhv-renamed"))
    assert response.status_code == 302, response.content.decode()[:3000]
    provider.refresh_from_db()
    assert provider.name == "rhv-renamed" and provider.credentials()["password"] == ovirt_lab["password"]


@pytest.mark.django_db
def test_ca_certificate_can_be_uploaded_or_skipped(people, ovirt_lab):
    upload = SimpleUploadedFile("ca.pem", ca_pem(ovirt_lab).encode(), content_type="application/x-pem-file")
    form = OvirtProviderForm(form_data(ovirt_lab, cacert=""), {"cacert_file": upload}, user=people["admin"])
    assert form.is_valid(), form.errors
    assert form.save().credentials()["cacert"].strip() == ca_pem(ovirt_lab).strip()
    form = OvirtProviderForm(form_data(ovirt_lab, name="rhv-insecure", cacert=foreign_ca(), insecure_skip_verify="on"),
                             user=people["admin"])
    assert form.is_valid(), form.errors
    credentials = form.save().credentials()
    assert credentials["insecureSkipVerify"] == "true" and "cacert" not in credentials


BAD_INPUT = {
    "wrong password": ({"password": "not-the-password"}, "refused the user name or password"),
    "CA that did not sign the engine": ({"cacert": "{foreign_ca}"}, "is not signed by the CA certificate given. Download the engine CA from https://127.0.0.1"),
    "no CA and no skip": ({"cacert": ""}, "Give the engine&#x27;s CA certificate, or choose"),
    "not a PEM": ({"cacert": "hello"}, "This is not a PEM certificate"),
    "unreachable host": ({"url": "https://127.0.0.1:{port}/ovirt-engine/api"}, "Cannot reach the engine at 127.0.0.1"),
    "wrong URL path": ({"url": "https://127.0.0.1:{port}/api"}, "ending with /ovirt-engine/api"),
    "plain http": ({"url": "http://127.0.0.1:{port}/ovirt-engine/api"}, "Use an https:// URL"),
}


@pytest.mark.django_db
@pytest.mark.parametrize("case", BAD_INPUT, ids=list(BAD_INPUT))
def test_bad_input_is_refused_with_what_to_fix(admin_client, ovirt_lab, case):
    overrides, message = BAD_INPUT[case]
    overrides = {k: v.format(port=closed_port(), foreign_ca=foreign_ca()) for k, v in overrides.items()}
    response = admin_client.post(reverse("providers:provider_add") + "?type=ovirt", form_data(ovirt_lab, **overrides))
    body = response.content.decode()
    assert response.status_code == 422
    assert message in body, body[:3000]
    assert ovirt_lab["password"] not in body
    assert not Provider.objects.exists()


def test_a_url_that_is_not_the_api_is_explained(ovirt_lab):
    """A provider made through the API skips the form: the adapter itself names the right path."""
    engine_root = ovirt_lab["url"].removesuffix("/ovirt-engine/api")
    with pytest.raises(ProviderError) as refused:
        OvirtClient(engine_root + "/api", {"user": ovirt_lab["user"], "password": ovirt_lab["password"],
                                            "cacert": ca_pem(ovirt_lab)}).test()
    assert "There is no oVirt API at" in refused.value.message and "/ovirt-engine/api" in refused.value.message
    assert ovirt_lab["password"] not in refused.value.message


def test_power_actions_and_refusals(ovirt_lab):
    credentials = {"user": ovirt_lab["user"], "password": ovirt_lab["password"], "cacert": ca_pem(ovirt_lab)}
    running = ovirt_lab["test_vms"]["running"]["id"]
    with OvirtClient(ovirt_lab["url"], credentials) as client:
        assert client.vm_status(running) == "up"
        with pytest.raises(ProviderError) as refused:
            client.start_vm(running)
        assert "Cannot run VM" in refused.value.message and "running" in refused.value.message


# --- inventory --------------------------------------------------------------------------


@pytest.mark.django_db
def test_full_load_matches_the_lab(ovirt_lab):
    provider = make_provider(ovirt_lab)
    load(provider)
    vms = {vm.uid: vm for vm in VirtualMachine.objects.filter(provider=provider)}
    assert len(vms) == ovirt_lab["vm_count"]
    # Every disk with bytes, as the lab made it.
    for lab_disk in ovirt_lab["disks"]:
        [attachment] = [a for a in vms[lab_disk["vm_id"]].data["diskAttachments"]
                        if a["disk"]["id"] == lab_disk["disk_id"]]
        disk = attachment["disk"]
        assert disk["provisionedSize"] == lab_disk["capacity"]
        assert (disk["format"], disk["sparse"], disk["shared"]) == (lab_disk["format"], lab_disk["sparse"],
                                                                     lab_disk["shareable"])
        assert (disk["status"], disk["storageDomain"]) == (lab_disk["status"], lab_disk["storage_domain"])
    for other in ovirt_lab["other_disks"]:
        [disk] = [a["disk"] for a in vms[other["vm_id"]].data["diskAttachments"] if a["disk"]["id"] == other["disk_id"]]
        assert disk["storageType"] == other["storage_type"]
    # MACs and profiles as the engine's JSON rendering has them (read without the SDK).
    engine_vms = engine_json(ovirt_lab, "/vms?follow=nics")["vm"]
    for engine_vm in engine_vms:
        nics = vms[engine_vm["id"]].data["nics"]
        expected = [(n["mac"]["address"], n["vnic_profile"]["id"]) for n in engine_vm["nics"].get("nic", [])]
        assert [(n["mac"], n["profile"]["id"]) for n in nics] == expected
    assert {vm["id"]: vm["status"] for vm in engine_vms} == {uid: vm.power_state for uid, vm in vms.items()}

    roles = {role: vms[ref["id"]] for role, ref in ovirt_lab["test_vms"].items()}
    running = roles["running"]
    assert running.power_state == "up" and running.host_uid == ovirt_lab["hosts"]["host1"]
    assert running.path == f"/{ovirt_lab['datacenter']['name']}/Default/{running.name}"
    assert running.data["nics"][0]["ipAddress"] and running.data["guestName"]
    two = roles["two_disks_two_nics"].data
    assert two["bios"] == "q35_ovmf" and [a["disk"]["format"] for a in two["diskAttachments"]] == ["raw", "cow"]
    networks = {n["profile"]["network"] for n in two["nics"]}
    assert networks == {ovirt_lab["networks"]["ovirtmgmt"], ovirt_lab["networks"]["vm-data"]}
    secure = roles["secure_boot"].data
    assert secure["bios"] == "q35_secure_boot" and secure["diskAttachments"][0]["interface"] == "sata"
    assert secure["nics"][0]["interface"] == "e1000"
    assert roles["illegal_disk"].data["hasIllegalImages"] is True
    assert roles["illegal_disk"].data["diskAttachments"][0]["disk"]["status"] == "illegal"
    assert roles["locked_disk"].data["diskAttachments"][0]["disk"]["status"] == "locked"
    shared = {a["disk"]["id"] for a in roles["shared_disk"].data["diskAttachments"] if a["disk"]["shared"]}
    assert shared and shared <= {a["disk"]["id"] for a in roles["shared_disk_peer"].data["diskAttachments"]}
    mbs = roles["unsupported_storage"].data["diskAttachments"][0]["disk"]["storageDomain"]
    assert mbs == ovirt_lab["storage_domains"][ovirt_lab["unsupported_storage_domain"]]["id"]
    assert roles["suspended"].power_state == "suspended" and roles["invalid_name"].name == "MTV_Invalid.Name"
    tuned = roles["tuned"].data
    assert tuned["haEnabled"] and tuned["usbEnabled"] and tuned["placementPolicyAffinity"] == "pinned"
    assert tuned["cpuAffinity"] and tuned["cpuShares"] and tuned["ioThreads"] > 1 and tuned["display"] == "spice"
    assert tuned["properties"] and tuned["watchDogs"] and tuned["customCpuModel"]
    assert tuned["diskAttachments"][0]["scsiReservation"] is True
    assert {n["interface"] for n in tuned["nics"]} >= {"pci_passthrough"}
    assert any(n["profile"]["portMirroring"] for n in tuned["nics"])
    assert any(n["profile"]["passThrough"] for n in tuned["nics"])
    # The other kinds, with what network and storage maps and the plan checks need.
    objects = InventoryObject.objects.filter(provider=provider)
    clusters = {c.name: c.data for c in objects.filter(kind="cluster")}
    assert clusters["Cluster2"]["haReservation"] and clusters["Cluster2"]["ksmEnabled"]
    assert roles["tuned"].cluster_uid == ovirt_lab["clusters"]["Cluster2"]
    storage = {s.name: s for s in objects.filter(kind="storage")}
    assert {name: sd.uid for name, sd in storage.items()} == {n: s["id"] for n, s in ovirt_lab["storage_domains"].items()}
    assert storage["iscsi-data"].data["storage"]["type"] == "iscsi" and storage["iscsi-data"].data["available"] > 0
    assert {h.name: h.uid for h in objects.filter(kind="host")} == ovirt_lab["hosts"]
    assert {p.uid for p in objects.filter(kind="nicprofile")} == set(ovirt_lab["vnic_profiles"].values())
    assert objects.filter(kind="disk").count() == len(ovirt_lab["disks"]) + len(ovirt_lab["other_disks"])


@pytest.mark.django_db
def test_inventory_api_serves_the_ovirt_collections(admin_client, ovirt_lab):
    provider = make_provider(ovirt_lab)
    load(provider)
    base = f"/inventory/providers/ovirt/{provider.uid}"
    two = ovirt_lab["test_vms"]["two_disks_two_nics"]
    vm = admin_client.get(f"{base}/vms/{two['id']}").json()
    assert vm["path"] == f"/{ovirt_lab['datacenter']['name']}/Default/{two['name']}"
    disk_id = vm["diskAttachments"][1]["disk"]["id"]
    assert admin_client.get(f"{base}/disks/{disk_id}").json()["format"] == "cow"
    profiles = admin_client.get(f"{base}/nicprofiles?detail=1").json()
    assert {p["id"] for p in profiles} == set(ovirt_lab["vnic_profiles"].values())
    domains = admin_client.get(f"{base}/storagedomains").json()
    assert {d["name"] for d in domains} == set(ovirt_lab["storage_domains"])


@pytest.mark.django_db(transaction=True)
def test_changes_arrive_through_events_without_a_full_reload(ovirt_lab):
    """Power a VM off, rename one, add and remove one through ovirtsdk4: each reaches the DB by itself."""
    provider = make_provider(ovirt_lab)
    collector, _ = load(provider)
    vms = VirtualMachine.objects.filter(provider=provider)
    revision_of = dict(vms.values_list("uid", "revision"))
    running, renamed = ovirt_lab["test_vms"]["running"]["id"], vms.get(name="vm-0002").uid
    with engine(ovirt_lab) as system, following(provider, collector) as errors:
        service = system.vms_service()
        try:
            service.vm_service(running).stop()
            _, seconds_power = wait_for(lambda: vms.get(uid=running).power_state == "down")
            service.vm_service(renamed).update(types.Vm(name="vm-0002-renamed"))
            _, seconds_rename = wait_for(lambda: vms.filter(uid=renamed, name="vm-0002-renamed").exists())
            added = service.add(types.Vm(name="mtv-added-by-test", cluster=types.Cluster(name="Default"),
                                         template=types.Template(name="Blank")))
            _, seconds_add = wait_for(lambda: vms.filter(uid=added.id).exists())
            assert vms.get(uid=added.id).path.endswith("/Default/mtv-added-by-test")
            nic = service.vm_service(renamed).nics_service().list()[0]
            mirror = ovirt_lab["vnic_profiles"]["vm-data-mirror"]
            service.vm_service(renamed).nics_service().nic_service(nic.id).update(
                types.Nic(vnic_profile=types.VnicProfile(id=mirror)))
            _, seconds_nic = wait_for(lambda: vms.get(uid=renamed).data["nics"][0]["profile"]["portMirroring"])
            untouched = vms.exclude(uid__in=[running, renamed, added.id])
            assert all(vm.revision == revision_of[vm.uid] for vm in untouched), "nothing was reloaded"
            assert vms.get(uid=renamed).revision == revision_of[renamed] + 2  # renamed, then its NIC
            service.vm_service(added.id).remove()
            _, seconds_remove = wait_for(lambda: not vms.filter(uid=added.id).exists())
            assert max(seconds_power, seconds_rename, seconds_add, seconds_nic, seconds_remove) < 3.0
        finally:
            service.vm_service(renamed).update(types.Vm(name="vm-0002"))
            service.vm_service(renamed).nics_service().nic_service(nic.id).update(types.Nic(vnic_profile=nic.vnic_profile))
            if service.vm_service(running).get().status == types.VmStatus.DOWN:
                service.vm_service(running).start()
        wait_for(lambda: vms.get(uid=running).power_state == "up")
        assert not errors


@pytest.mark.django_db(transaction=True)
def test_a_disk_locked_by_an_image_transfer_shows_in_its_vm(ovirt_lab, monkeypatch):
    """Transfers raise events that name no VM; the disks are listed again and the VM embedding one follows."""
    monkeypatch.setattr(inventory, "DISK_RELIST_SECONDS", 0.5)
    provider = make_provider(ovirt_lab)
    collector, _ = load(provider)
    down = ovirt_lab["test_vms"]["down"]["id"]
    disk_id = next(d["disk_id"] for d in ovirt_lab["disks"] if d["vm_id"] == down)
    vm = VirtualMachine.objects.filter(provider=provider, uid=down)
    status = lambda: vm.get().data["diskAttachments"][0]["disk"]["status"]  # noqa: E731
    assert status() == "ok"
    with engine(ovirt_lab) as system, following(provider, collector) as errors:
        transfers = system.image_transfers_service()
        transfer = transfers.add(types.ImageTransfer(disk=types.Disk(id=disk_id), format=types.DiskFormat.RAW,
                                                     direction=types.ImageTransferDirection.DOWNLOAD))
        try:
            wait_for(lambda: status() == "locked", timeout=5)
        finally:
            transfers.image_transfer_service(transfer.id).cancel()
        wait_for(lambda: status() == "ok", timeout=10)
        assert not errors


@pytest.mark.django_db(transaction=True)
def test_an_engine_that_started_over_is_loaded_again(ovirt_lab, monkeypatch):
    """Event ids that went backwards (a restarted engine) mean the log cannot be trusted: reload."""
    monkeypatch.setattr(inventory, "RESTART_CHECK_SECONDS", 0.5)
    provider = make_provider(ovirt_lab)
    collector, _ = load(provider)
    collector.last_event += 10**6  # as if the engine's ids restarted below what we saw
    vms = VirtualMachine.objects.filter(provider=provider)
    target = vms.get(name="vm-0004")
    with engine(ovirt_lab) as system, following(provider, collector) as errors:
        service = system.vms_service()
        service.vm_service(target.uid).update(types.Vm(name="vm-0004-changed"))
        try:
            wait_for(lambda: vms.filter(uid=target.uid, name="vm-0004-changed").exists(), timeout=15)
        finally:
            service.vm_service(target.uid).update(types.Vm(name="vm-0004"))
        wait_for(lambda: vms.filter(uid=target.uid, name="vm-0004").exists(), timeout=15)
        assert collector.last_event < 10**6 and not errors


# --- the service: a lost engine, and recovery -----------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_lost_engine_goes_connection_failed_and_recovers_by_itself(ovirt_lab, inventory_service):
    engine_port = int(ovirt_lab["url"].split(":")[2].split("/")[0])
    relay = Relay(engine_port)
    provider = make_provider(ovirt_lab, url=f"https://127.0.0.1:{relay.port}/ovirt-engine/api")
    status = lambda: Provider.objects.get(pk=provider.pk)  # noqa: E731
    wait_for(lambda: status().status == "Ready", timeout=60)
    assert status().counts["vm"] == ovirt_lab["vm_count"]
    relay.cut()
    failed, _ = wait_for(lambda: (p := status()).status == "ConnectionFailed" and p, timeout=60)
    assert f"engine at 127.0.0.1:{relay.port}" in failed.status_message and "pycurl" not in failed.status_message
    relay.open.set()
    wait_for(lambda: status().status == "Ready", timeout=90)


# --- networks ------------------------------------------------------------------------------


def test_networks_match_the_lab(ovirt_lab):
    """Every network, with its VLAN. (Kept last and without the DB, so pytest-django runs it last: it
    depends on the lab writing network XML that ovirtsdk4 can read.)"""
    credentials = {"user": ovirt_lab["user"], "password": ovirt_lab["password"], "cacert": ca_pem(ovirt_lab)}
    collector = inventory.OvirtCollector(ovirt_lab["url"], credentials)
    try:
        networks = [item for item in collector.load() if item.kind == "network"]
    finally:
        collector.close()
    assert {n.name: n.uid for n in networks} == ovirt_lab["networks"]
    assert {n.name: n.data["vlan"] for n in networks}["vm-data"] == "100"

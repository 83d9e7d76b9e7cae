"""OVA providers against the lab's share, read by the scanner Pod on the lab's cluster."""

import json
import os
import shutil
import threading
import time
from pathlib import Path

import pytest
from django.db import connection
from django.urls import reverse
from kubernetes import client, config

from mtvweb.pods import ova_scan
from providers.adapters import ProviderError, adapter_for
from providers.adapters.ova.client import ShareScanner, parse_share_url
from providers.adapters.ova.records import STORAGE_ID
from providers.inventory.store import InventoryStore
from providers.models import InventoryObject, Provider, VirtualMachine

pytestmark = pytest.mark.lab
SCANNER_PODS = "app.kubernetes.io/component=ova-scan"


@pytest.fixture(autouse=True)
def host_cluster(settings, kube_lab):
    settings.MTVWEB_KUBECONFIG = kube_lab["admin_kubeconfig"]
    return kube_lab


@pytest.fixture
def admin_client(client, people):
    client.force_login(people["admin"])
    return client


@pytest.fixture
def core(kube_lab):
    api = config.new_client_from_config(kube_lab["admin_kubeconfig"])
    yield client.CoreV1Api(api)
    api.close()


def expected_entries(ova_lab):
    return ova_lab["expected"]["entries"]


def make_provider(url, name="ova-share", namespace="team-a") -> Provider:
    provider = Provider(type="ova", namespace=namespace, name=name, url=url)
    provider.set_credentials({"url": url})
    provider.save()
    return provider


def load(provider, interval=None):
    collector = adapter_for(provider).collector()
    if interval is not None:
        collector.interval = interval
    InventoryStore(provider).replace(collector.load())
    return collector


def wait_for(check, timeout=30, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if result := check():
            return result
        time.sleep(0.2)
    raise AssertionError(f"{what} not reached within {timeout}s")


def private_share(tmp_path, ova_lab, *relatives) -> Path:
    """A share of its own, hard-linked from the lab's files, for tests that change it."""
    share = tmp_path / "share"
    for relative in relatives:
        (share / relative).parent.mkdir(parents=True, exist_ok=True)
        os.link(Path(ova_lab["share_path"]) / relative, share / relative)
    return share


# --- the scan ---------------------------------------------------------------------------------


def test_scan_matches_the_lab_manifest_for_every_path(ova_lab):
    scan = ShareScanner(parse_share_url(ova_lab["nfs_url"])).scan()
    expected, found = expected_entries(ova_lab), scan["entries"]
    assert sorted(found) == sorted(expected)
    for path, entry in expected.items():
        got = found[path]
        assert got["status"] == entry["status"], path
        if entry["size"] is not None:
            assert got["size"] == entry["size"], path
        for key in ("error", "reason", "of", "name"):
            assert got.get(key) == entry.get(key), (path, key)
        if entry["status"] == "error":
            assert len(got["detail"]) > 40, path  # says what is wrong and what to do
        if entry["status"] == "vm":
            want = {k: v for k, v in entry["vm"].items() if k != "disks"}
            assert {k: got["vm"][k] for k in want} == want, path
            want_disks = [{k: v for k, v in d.items() if k != "blake3"} for d in entry["vm"]["disks"]]
            assert [{k: d[k] for k in want_disks[0]} for d in got["vm"]["disks"]] == want_disks, path
    kinds = {e["error"] for e in found.values() if e["status"] == "error"}
    assert kinds == {"truncated-archive", "invalid-archive", "invalid-ovf", "missing-disk", "disk-size-mismatch",
                     "multiple-ovf-in-folder"}


def test_scanner_pods_are_deleted_after_each_scan(ova_lab, core):
    ShareScanner(parse_share_url(ova_lab["nfs_url"])).scan()
    with pytest.raises(ProviderError):
        ShareScanner(parse_share_url("127.0.0.1:/nonexistent/share")).scan()
    namespace = ShareScanner(parse_share_url(ova_lab["nfs_url"])).namespace

    def gone():
        pods = core.list_namespaced_pod(namespace, label_selector=SCANNER_PODS).items
        return not [p for p in pods if not p.metadata.deletion_timestamp]

    wait_for(gone, timeout=10, what="scanner Pods deleted")


def test_scanner_stops_at_an_unusable_mount_point(tmp_path, capsys):
    (tmp_path / "not-a-folder").write_text("")
    assert ova_scan.main([str(tmp_path / "not-a-folder")]) == 2
    assert json.loads(capsys.readouterr().out)["fatal"].endswith("/not-a-folder is not a directory")


# --- the provider form ------------------------------------------------------------------------


@pytest.mark.django_db
def test_create_with_the_share_url(admin_client, ova_lab):
    data = {"type": "ova", "name": "ova-share", "namespace": "team-a", "url": f" {ova_lab['nfs_url']}/ "}
    response = admin_client.post(reverse("providers:provider_add") + "?type=ova", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    provider = Provider.objects.get(name="ova-share")
    assert (provider.type, provider.status, provider.url) == ("ova", "Staging", ova_lab["nfs_url"])
    assert provider.credentials() == {"url": ova_lab["nfs_url"]}  # Forklift's OVA Secret: stringData.url
    with connection.cursor() as cursor:
        cursor.execute("SELECT ciphertext FROM providers_secret WHERE id = %s", [provider.secret_id])
        assert ova_lab["share_path"].encode() not in bytes(cursor.fetchone()[0])
    edit_page = admin_client.get(reverse("providers:provider_edit", args=[provider.pk])).content.decode()
    assert ova_lab["nfs_url"] in edit_page and "server:/path" in edit_page


MALFORMED = {
    "nfs:// scheme": ("nfs://{server}{path}", "without nfs://"),
    "web address": ("https://{server}{path}", "not a web address"),
    "no path": ("{server}", "Add the exported path after the server"),
    "relative path": ("{server}:ova-share", "must be absolute"),
    "bad server": ("nfs_server!:{path}", "is not a host name or IP address"),
}


@pytest.mark.django_db
@pytest.mark.parametrize("case", MALFORMED, ids=list(MALFORMED))
def test_form_refuses_a_malformed_share_url(admin_client, ova_lab, core, case):
    template, message = MALFORMED[case]
    url = template.format(server=ova_lab["nfs_server"], path=ova_lab["nfs_path"])
    data = {"type": "ova", "name": "ova-share", "namespace": "team-a", "url": url}
    response = admin_client.post(reverse("providers:provider_add") + "?type=ova", data)
    assert response.status_code == 422
    assert message in response.content.decode()
    assert not Provider.objects.exists()


UNUSABLE = {
    "missing export": ("127.0.0.1:/nonexistent/ova", "The NFS server 127.0.0.1 refused to mount /nonexistent/ova"),
    "unreachable server": ("nfs.invalid:/exports/ova", "The NFS server nfs.invalid cannot be reached from the cluster"),
}


@pytest.mark.django_db
@pytest.mark.parametrize("case", UNUSABLE, ids=list(UNUSABLE))
def test_form_refuses_a_share_the_cluster_cannot_mount(admin_client, ova_lab, case):
    url, message = UNUSABLE[case]
    data = {"type": "ova", "name": "ova-share", "namespace": "team-a", "url": url}
    started = time.monotonic()
    response = admin_client.post(reverse("providers:provider_add") + "?type=ova", data)
    assert response.status_code == 422
    assert message in response.content.decode()
    assert time.monotonic() - started < 30  # the mount failure is reported, not waited out
    assert not Provider.objects.exists()


# --- the inventory ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_full_load_matches_the_lab(ova_lab):
    provider = make_provider(ova_lab["nfs_url"])
    load(provider)
    entries = expected_entries(ova_lab)
    vms = {vm.path: vm for vm in VirtualMachine.objects.filter(provider=provider)}
    expected_vms = {"/" + p: e["vm"] for p, e in entries.items() if e["status"] == "vm"}
    assert sorted(vms) == sorted(expected_vms)
    for path, want in expected_vms.items():
        data = vms[path].data
        assert (vms[path].name, data["ovaPath"]) == (want["name"], path[1:])
        assert (data["cpuCount"], data["coresPerSocket"], data["memoryMB"]) == (
            want["cpu"], want["cores_per_socket"], want["memory_mib"])
        assert (data["firmware"], data["secureBoot"], data["osType"]) == (
            want["firmware"], want["secure_boot"], want["os_type"])
        assert [(d["capacity"], d["filePath"], d["member"], d["format"], d["storage"]["id"]) for d in data["disks"]] == [
            (d["capacity"], d["path"], d["member"], d["format"], STORAGE_ID) for d in want["disks"]]
        assert [(n["mac"], n["network"], n["model"]) for n in data["nics"]] == [
            (n["mac"], n["network"], n["model"]) for n in want["nics"]]
    objects = InventoryObject.objects.filter(provider=provider)
    networks = {n.name: n.uid for n in objects.filter(kind="network")}
    assert set(networks) == {n["network"] for vm in expected_vms.values() for n in vm["nics"]}
    for vm in vms.values():
        assert {n["id"] for n in vm.data["networks"]} == {networks[n["network"]] for n in vm.data["nics"]}
    assert [(s.uid, s.name) for s in objects.filter(kind="storage")] == [
        (STORAGE_ID, "Dummy storage for source provider ova-share")]
    problems = {o.data["path"]: o.data for o in objects.filter(kind="other")}
    assert {p: d["reason"] for p, d in problems.items()} == {
        p: e.get("error") or e["reason"] for p, e in entries.items()
        if e["status"] == "error" or e.get("reason", "").endswith("too-deep")}
    assert "Move it up" in problems["dept-a/nested/too-deep.ova"]["detail"]
    provider.refresh_from_db()
    assert provider.counts == {"vm": len(expected_vms), "network": len(networks), "storage": 1,
                               "other": len(problems)}


@pytest.mark.django_db(transaction=True)
def test_rescan_adds_and_removes_vms_without_touching_the_others(tmp_path, ova_lab):
    share = private_share(tmp_path, ova_lab, "alpine-bios.ova", "dept-a/win2019-efi.ova")
    provider = make_provider(f"127.0.0.1:{share}")
    collector = load(provider, interval=1.0)
    before = {vm.path: vm.revision for vm in VirtualMachine.objects.filter(provider=provider)}
    assert sorted(before) == ["/alpine-bios.ova", "/dept-a/win2019-efi.ova"]
    stop, errors = threading.Event(), []

    def follow():
        try:
            collector.follow(InventoryStore(provider), stop)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    thread = threading.Thread(target=follow, daemon=True)
    thread.start()
    try:
        (share / "dept-b").mkdir()
        os.link(Path(ova_lab["share_path"]) / "dept-a/photon-ovf2.ova", share / "dept-b/photon-copy.ova")
        added = wait_for(lambda: VirtualMachine.objects.filter(provider=provider, path="/dept-b/photon-copy.ova").first(),
                         what="the added OVA listed")
        assert added.name == "photon-ovf2" and added.data["disks"][0]["filePath"] == "dept-b/photon-copy.ova"
        (share / "alpine-bios.ova").unlink()
        wait_for(lambda: not VirtualMachine.objects.filter(provider=provider, path="/alpine-bios.ova").exists(),
                 what="the removed OVA gone")
        unchanged = VirtualMachine.objects.get(provider=provider, path="/dept-a/win2019-efi.ova")
        assert unchanged.revision == before["/dept-a/win2019-efi.ova"]  # rescans leave unchanged VMs alone
        assert not errors
    finally:
        stop.set()
        thread.join(30)


@pytest.mark.django_db(transaction=True)
def test_follow_reports_a_lost_share(tmp_path, ova_lab):
    share = private_share(tmp_path, ova_lab, "alpine-bios.ova")
    provider = make_provider(f"127.0.0.1:{share}")
    collector = load(provider, interval=0.5)
    shutil.rmtree(share)
    stop, raised = threading.Event(), []

    def follow():
        try:
            collector.follow(InventoryStore(provider), stop)
        except ProviderError as exc:
            raised.append(exc.message)
        finally:
            connection.close()

    thread = threading.Thread(target=follow, daemon=True)
    thread.start()
    thread.join(30)
    stop.set()
    assert raised and "refused to mount" in raised[0]


@pytest.mark.django_db
def test_thousands_of_vms_load_quickly(tmp_path, ova_lab):
    share = tmp_path / "big"
    source = Path(ova_lab["share_path"]) / "alpine-bios.ova"
    for folder in range(20):
        (share / f"dept-{folder:02}").mkdir(parents=True)
        for number in range(100):
            os.link(source, share / f"dept-{folder:02}" / f"vm-{number:03}.ova")
    provider = make_provider(f"127.0.0.1:{share}")
    started = time.monotonic()
    load(provider)
    elapsed = time.monotonic() - started
    assert VirtualMachine.objects.filter(provider=provider).count() == 2000
    assert elapsed < 60, f"2,000 VMs took {elapsed:.1f} s to scan and store"


@pytest.mark.django_db(transaction=True)
def test_inventory_service_brings_an_ova_provider_to_ready(ova_lab):
    from providers.inventory.service import ProviderWatcher, watcher_stamp

    provider = make_provider(ova_lab["nfs_url"])
    watcher = ProviderWatcher(provider.pk, watcher_stamp(provider))
    watcher.start()
    try:
        wait_for(lambda: Provider.objects.get(pk=provider.pk).status == "Ready", what="provider Ready")
        vms = sum(1 for e in expected_entries(ova_lab).values() if e["status"] == "vm")
        assert VirtualMachine.objects.filter(provider=provider).count() == vms
    finally:
        watcher.stop.set()
        watcher.join(30)

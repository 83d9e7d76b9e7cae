"""The map editors in Chromium against the lab's inventories (vSphere source, the lab cluster as
target): rows added and removed with htmx, live messages, storage modes defaulted from the
StorageProfile and from the provisioner table, then saved."""

import os
from pathlib import Path

import pytest

from mappings.models import NetworkMap, StorageMap
from providers.adapters.openshift.host import ensure_host_provider
from providers.models import Provider
from tests.factories import grant
from tests.fixtures.browser import log_in
from tests.providers.helpers import load
from tests.providers.vsphere_helpers import make_provider

pytestmark = [pytest.mark.browser, pytest.mark.lab, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def lab_providers(settings, kube_lab, vsphere_lab):
    settings.MTVWEB_KUBECONFIG = kube_lab["admin_kubeconfig"]
    host, vcenter = ensure_host_provider(), make_provider(vsphere_lab)
    for provider in (host, vcenter):
        load(provider)
    Provider.objects.filter(pk__in=[host.pk, vcenter.pk]).update(status="Ready")
    return vcenter, host


def shot(page, name):
    """Screenshots for a person to look at, when MTVWEB_SCREENSHOTS names a directory."""
    if os.environ.get("MTVWEB_SCREENSHOTS"):
        size = page.viewport_size
        page.set_viewport_size({"width": size["width"], "height": 1500})  # the page scrolls inside its main area
        page.screenshot(path=str(Path(os.environ["MTVWEB_SCREENSHOTS"]) / f"{name}.png"))
        page.set_viewport_size(size)


def redraw(page, action):
    """Do something that redraws the rows, and wait until the new rows are in place."""
    with page.expect_response(lambda r: "/rows/" in r.url and r.request.method == "POST"):
        action()
    page.wait_for_function("() => !document.querySelector('.htmx-request, .htmx-settling, .htmx-swapping')")


def row(page, index):
    return page.get_by_test_id("pair-row").nth(index)


def choose(page, index, testid, label):
    redraw(page, lambda: row(page, index).get_by_test_id(testid).select_option(label=label))


def start(page, path, name, vcenter, host):
    page.goto(path)
    page.fill("#id_name", name)
    page.select_option("#id_namespace", "team-a")
    redraw(page, lambda: page.select_option("#id_source_provider", str(vcenter.pk)))
    redraw(page, lambda: page.select_option("#id_destination_provider", str(host.pk)))


def test_create_a_network_map_and_a_storage_map(page, people, lab_providers):
    vcenter, host = lab_providers
    grant(people["editor"], "editor", "mtv-user")  # the lab's NADs are in mtv-user: the editor's to use
    log_in(page, people["editor"])

    # --- network map ---------------------------------------------------------------------
    start(page, "/networkmaps/add/", "vsphere-nets", vcenter, host)
    choose(page, 0, "pair-source", "VM Network (/DC0/network/VM Network)")
    choose(page, 0, "pair-destination", "Pod network")
    redraw(page, lambda: page.get_by_test_id("add-row").click())
    redraw(page, lambda: page.get_by_test_id("add-row").click())
    assert page.get_by_test_id("pair-row").count() == 3
    choose(page, 1, "pair-source", "DPG-Prod")
    choose(page, 1, "pair-destination", "mtv-user/vlan-100")
    # The same source twice: said at once, in the row that repeats it.
    choose(page, 2, "pair-source", "VM Network (/DC0/network/VM Network)")
    assert row(page, 2).get_by_test_id("row-error").inner_text() == (
        "Network VM Network (/DC0/network/VM Network) is already mapped in row 1: a source has one target only; "
        "remove one of the two rows.")
    shot(page, "networkmap-duplicate")
    redraw(page, lambda: row(page, 2).get_by_test_id("remove-row").click())
    assert page.get_by_test_id("pair-row").count() == 2
    assert page.get_by_test_id("row-error").count() == 0
    # Several sources may share one target.
    redraw(page, lambda: page.get_by_test_id("add-row").click())
    choose(page, 2, "pair-source", "Backup Network")
    choose(page, 2, "pair-destination", "mtv-user/vlan-100")
    shot(page, "networkmap-edit")
    page.get_by_test_id("submit").click()
    page.wait_for_url("**/networkmaps/*/")
    network_map = NetworkMap.objects.get(name="vsphere-nets")
    assert sorted((p.source_name, p.destination) for p in network_map.pairs.all()) == [
        ("Backup Network", "mtv-user/vlan-100"), ("DPG-Prod", "mtv-user/vlan-100"), ("VM Network", "pod")]
    assert page.get_by_test_id("pair").count() == 3
    shot(page, "networkmap-detail")

    # --- storage map ---------------------------------------------------------------------
    start(page, "/storagemaps/add/", "vsphere-disks", vcenter, host)
    assert page.get_by_role("columnheader", name="Source datastore").is_visible()
    choose(page, 0, "pair-source", "LocalDS_0")
    choose(page, 0, "pair-storage-class", "ocs-storagecluster-ceph-rbd (default)")
    first = row(page, 0)
    # ocs-storagecluster-ceph-rbd: its StorageProfile's first claimPropertySet.
    assert first.get_by_test_id("pair-access-mode").input_value() == "ReadWriteMany"
    assert first.get_by_test_id("pair-volume-mode").input_value() == "Block"
    assert first.get_by_test_id("modes-note").inner_text() == "Defaults from the class's StorageProfile."
    redraw(page, lambda: page.get_by_test_id("add-row").click())
    redraw(page, lambda: page.get_by_test_id("add-row").click())
    choose(page, 1, "pair-source", "LocalDS_1")
    choose(page, 1, "pair-storage-class", "gp2")
    second = row(page, 1)
    # gp2 (kubernetes.io/aws-ebs) has a StorageProfile without modes: the guide's table.
    assert second.get_by_test_id("pair-access-mode").input_value() == "ReadWriteOnce"
    assert second.get_by_test_id("pair-volume-mode").input_value() == "Block"
    assert second.get_by_test_id("modes-note").inner_text() == "Defaults from the provisioner table (guide §2.2)."
    choose(page, 2, "pair-source", "LocalDS_2")
    choose(page, 2, "pair-storage-class", "hostpath-csi")
    redraw(page, lambda: row(page, 2).get_by_test_id("remove-row").click())
    assert page.get_by_test_id("pair-row").count() == 2
    # The defaults are editable.
    choose(page, 1, "pair-volume-mode", "Filesystem")
    assert row(page, 1).get_by_test_id("pair-volume-mode").input_value() == "Filesystem"
    shot(page, "storagemap-edit")
    page.get_by_test_id("submit").click()
    page.wait_for_url("**/storagemaps/*/")
    storage_map = StorageMap.objects.get(name="vsphere-disks")
    assert sorted((p.source_name, p.storage_class, p.access_mode, p.volume_mode)
                  for p in storage_map.pairs.all()) == [
        ("LocalDS_0", "ocs-storagecluster-ceph-rbd", "ReadWriteMany", "Block"),
        ("LocalDS_1", "gp2", "ReadWriteOnce", "Filesystem")]
    shot(page, "storagemap-detail")
    page.goto("/storagemaps/")
    shot(page, "storagemap-list")

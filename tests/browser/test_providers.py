"""Providers in Chromium: create a vSphere provider, watch it load, browse its inventory."""

import pytest

from providers.models import Provider
from tests.fixtures.browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.lab, pytest.mark.django_db(transaction=True)]


def test_create_a_vsphere_provider_and_browse_its_vms(page, people, vsphere_lab, inventory_service):
    log_in(page, people["nsadmin"])
    page.goto("/providers/add/")
    page.get_by_test_id("type-vsphere").click()
    page.fill("#id_name", "vcenter")
    page.fill("#id_url", vsphere_lab["url"])
    page.fill("#id_user", vsphere_lab["user"])
    page.fill("#id_password", "a wrong password")
    # The thumbprint is read from the server and shown for confirmation before it is used.
    page.get_by_test_id("fetch-thumbprint").click()
    assert page.get_by_test_id("fetched-thumbprint").inner_text() == vsphere_lab["thumbprint"]
    page.get_by_test_id("use-thumbprint").click()
    assert page.input_value("#id_thumbprint") == vsphere_lab["thumbprint"]
    page.check("#id_insecure_skip_verify")
    page.get_by_test_id("submit").click()
    assert "refused the user name or password" in page.get_by_test_id("provider-form").inner_text()
    assert not Provider.objects.exists()

    page.fill("#id_password", vsphere_lab["password"])
    page.get_by_test_id("submit").click()
    page.wait_for_url("**/providers/*/")
    status = page.get_by_test_id("provider-status")
    status.get_by_text("Ready").wait_for(timeout=60_000)
    assert f"{vsphere_lab['vm_count']} VMs" in page.get_by_test_id("inventory-counts").inner_text()

    page.get_by_test_id("tab-vms").click()
    target = vsphere_lab["test_vms"]["two_disks_two_nics"]
    page.fill("#id_name", target["name"].upper()[:10])  # case-insensitive, over all pages
    page.wait_for_url("**/vms/?name=MTV-DB-2DI*")
    rows = page.locator("[data-testid=object-table] tbody tr")
    assert rows.count() == 1 and target["name"] in rows.first.inner_text()


def test_list_refreshes_without_touching_what_the_user_types(page, people, vsphere_lab):
    from tests.providers.vsphere_helpers import make_provider

    provider = make_provider(vsphere_lab)
    log_in(page, people["admin"])
    page.goto("/providers/")
    page.fill("#id_name", "vcen")
    page.wait_for_url("**/providers/?name=vcen*")
    # Meanwhile the inventory reports progress: the table picks it up, the filter keeps its text.
    Provider.objects.filter(pk=provider.pk).update(status="ConnectionFailed", status_message="Cannot reach vCenter")
    page.get_by_text("Cannot reach vCenter").wait_for(timeout=10_000)
    assert page.input_value("#id_name") == "vcen"


def test_delete_providers_from_the_list(page, people, vsphere_lab):
    """While a row is ticked the list does not refresh (that would drop the tick); the bulk page says
    what happens, and the confirmation deletes."""
    from tests.providers.vsphere_helpers import make_provider

    provider = make_provider(vsphere_lab)
    log_in(page, people["admin"])
    page.clock.install()  # the list's 3 s refresh runs when the test moves the clock
    page.goto("/providers/")
    box = page.locator(f"#object-table input[name=pk][value='{provider.pk}']")
    box.check()
    Provider.objects.filter(pk=provider.pk).update(status="ConnectionFailed", status_message="Cannot reach vCenter")
    page.clock.run_for(10_000)  # three refreshes were due
    page.wait_for_load_state("networkidle")  # any refresh sent has been answered…
    page.clock.run_for(1_000)  # …and swapped in (htmx swaps on a timer)
    assert box.is_checked() and "Cannot reach vCenter" not in page.get_by_test_id("object-table").inner_text()
    box.uncheck()
    page.clock.run_for(4_000)
    page.get_by_text("Cannot reach vCenter").wait_for()
    page.locator(f"#object-table input[name=pk][value='{provider.pk}']").check()
    page.get_by_test_id("bulk-delete").click()
    assert "Deleted." in page.get_by_test_id(f"bulk-row-{provider.name}").inner_text()
    page.get_by_test_id("confirm").click()
    page.wait_for_url("**/providers/")
    assert f"Deleted 1 provider: {provider.name}." in page.content()
    assert not Provider.objects.filter(pk=provider.pk).exists()

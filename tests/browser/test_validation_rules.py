"""A custom rule added in the browser shows up as a concern on matching VMs within seconds."""

import time

import pytest

from providers.models import Provider, VirtualMachine
from providers.validation.rules import rules_version
from tests.fixtures.browser import log_in
from tests.providers.vsphere_helpers import make_provider
from tests.validation.test_custom_rules import MULTIPLE_DISKS

pytestmark = [pytest.mark.browser, pytest.mark.lab, pytest.mark.django_db(transaction=True)]


def test_custom_rule_from_the_browser_reaches_the_vm_table(page, people, vsphere_lab, inventory_service):
    provider = make_provider(vsphere_lab)
    target = VirtualMachine.objects.filter(provider=provider)
    deadline = time.monotonic() + 60
    while not target.filter(name="mtv-db-2disk-2nic", revision_validated__gt=0).exists():
        assert time.monotonic() < deadline, "the inventory service loads and validates the provider"
        time.sleep(0.2)
    before = rules_version("vsphere")

    log_in(page, people["admin"])
    page.goto("/providers/rules/")
    page.get_by_test_id("add-rule").click()
    page.select_option("#id_provider_type", "vsphere")
    page.fill("#id_name", "multiple_disks")
    page.fill("#id_source", MULTIPLE_DISKS)
    page.get_by_test_id("save-rule").click()
    page.wait_for_url("**/providers/rules/")
    assert page.get_by_test_id("rules-version-vsphere").inner_text() == str(before + 1)
    saved_at = time.monotonic()

    page.goto(f"/providers/{provider.pk}/vms/?name=mtv-db-2disk-2nic")
    row = page.get_by_test_id("object-table")
    while "Multiple disks detected" not in row.text_content():  # inside the collapsed details
        assert time.monotonic() - saved_at < 15, "the concern appears within seconds"
        page.wait_for_timeout(500)
        page.reload()
    assert time.monotonic() - saved_at < 15
    assert Provider.objects.get(pk=provider.pk).status == "Ready"
    single = page.goto(f"/providers/{provider.pk}/vms/?name=mtv-rhel9-cbt")
    assert single.ok and "Multiple disks detected" not in page.get_by_test_id("object-table").text_content()
    # The badge counts the concerns, highest category first; the details open on click.
    page.goto(f"/providers/{provider.pk}/vms/?name=mtv-db-2disk-2nic")
    page.locator("details.mtv-concerns summary").click()
    assert page.get_by_text("Multiple disks detected").is_visible()


def test_a_v0_rule_is_refused_in_the_browser_with_the_reason(page, people):
    from tests.validation.test_custom_rules import GUIDE_V0

    log_in(page, people["admin"])
    page.goto("/providers/rules/add/")
    page.fill("#id_name", "drs_v0")
    page.fill("#id_source", GUIDE_V0)
    page.get_by_test_id("save-rule").click()
    assert "old Rego v0 syntax" in page.get_by_test_id("rule-form").inner_text()

"""The plan wizard in Chromium over the vSphere lab and the lab cluster: a vSphere plan built
through every step — a new network map and a new storage map saved as templates, a PreHook
playbook — going back two steps and forward again without losing a choice; then edited through
the same steps."""

import os

import pytest

from mappings.models import NetworkMap, StorageMap
from plans.models import Hook, Plan
from providers.models import InventoryObject, VirtualMachine
from tests.factories import grant
from tests.fixtures.browser import log_in
from tests.plans.helpers import lab_source_and_target

pytestmark = [pytest.mark.browser, pytest.mark.lab, pytest.mark.django_db(transaction=True)]
VM = "mtv-db-2disk-2nic"
PLAYBOOK = "- hosts: localhost\n  tasks:\n    - name: quiesce the database\n      debug: msg=ok\n"
SHOTS = os.environ.get("MTVWEB_SCREENSHOTS")


def shot(page, name):
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"wizard-{name}.png"), full_page=True)


@pytest.fixture
def providers(settings, kube_lab, vsphere_lab):
    source, host = lab_source_and_target(settings, kube_lab, vsphere_lab)
    vm = VirtualMachine.objects.get(provider=source, name=VM)
    networks = dict(InventoryObject.objects.filter(provider=source, kind="network").values_list("uid", "name"))
    return {"source": source, "host": host, "vm": vm,
            "networks": [networks[n["network"]["id"]] for n in vm.data["nics"]]}


# Functions, not expressions: Playwright evaluates an expression with eval, which the pages' CSP refuses.
HTMX_IDLE = "() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling, .htmx-added')"


def step(page, name):
    page.wait_for_selector(f"[data-testid=wizard][data-step={name}]")
    page.wait_for_function(HTMX_IDLE)  # the new step's controls are wired up


def redrawn(page, action, path="/plans/"):
    """Do something that makes htmx redraw part of the page, and wait for the redraw."""
    with page.expect_response(lambda r: path in r.url):
        action()
    page.wait_for_function(HTMX_IDLE)


def next_step(page, name):
    page.get_by_test_id("next").click()
    step(page, name)


def test_a_vsphere_plan_through_every_step(page, people, providers):
    source, host = providers["source"], providers["host"]
    grant(people["editor"], "editor", "mtv-user")  # the lab cluster's namespace the VMs move to, with its NAD
    log_in(page, people["editor"])
    page.goto("/plans/")
    page.get_by_test_id("create").click()
    step(page, "general")
    # Later steps wait for this one, and say so.
    assert page.get_by_test_id("nav-vms").is_disabled()
    page.get_by_test_id("next").click()
    assert "Enter a name for the new plan." in page.get_by_test_id("step-errors").inner_text()
    page.fill("[data-testid=plan-name]", "db-wave")
    page.fill("[data-testid=plan-description]", "Databases first")
    page.select_option("[data-testid=plan-namespace]", "team-a")
    redrawn(page, lambda: page.select_option("[data-testid=source]", str(source.pk)))
    redrawn(page, lambda: page.select_option("[data-testid=target]", str(host.pk)))
    assert page.locator("#w-target-namespaces option[value=mtv-user]").count() == 1
    redrawn(page, lambda: (page.fill("[data-testid=target-namespace]", "mtv-user"), page.keyboard.press("Tab")))
    shot(page, "general")
    next_step(page, "vms")

    # VMs: filter by a name fragment in any case, select what matches, then only our VM.
    page.fill("[data-testid=filter-name]", "DB-2DISK")
    page.get_by_test_id("apply-filter").click()
    page.wait_for_function("() => document.querySelector('[data-testid=matching-count]').innerText.startsWith('1 ')")
    assert [r.get_attribute("data-vm") for r in page.get_by_test_id("vm-row").all()] == [VM]
    redrawn(page, lambda: page.get_by_test_id(f"select-{VM}").check())
    assert page.get_by_test_id("selected-count").inner_text() == "1 selected"
    shot(page, "vms")
    next_step(page, "network")

    # A new network map, pre-filled with the VM's two networks, saved as a template.
    if not page.get_by_test_id("mode-new").is_checked():
        redrawn(page, lambda: page.get_by_test_id("mode-new").check())
    rows = page.get_by_test_id("pair-row")
    assert rows.count() == 2
    assert "not mapped" in page.get_by_test_id("unmapped").inner_text()
    redrawn(page, lambda: rows.nth(0).get_by_test_id("pair-destination").select_option("pod"))
    redrawn(page, lambda: page.get_by_test_id("pair-row").nth(1).get_by_test_id("pair-destination").select_option(
        "mtv-user/vlan-100"))
    assert page.get_by_test_id("unmapped").count() == 0  # both mapped now
    page.get_by_test_id("save-template").check()
    page.fill("[data-testid=template-name]", "db-networks")
    shot(page, "network")
    next_step(page, "storage")

    # Storage: a new map; its rows come with the default class and that class's modes.
    if not page.get_by_test_id("mode-new").is_checked():
        redrawn(page, lambda: page.get_by_test_id("mode-new").check())
    storage_rows = page.get_by_test_id("pair-row")
    assert storage_rows.count() >= 1
    assert storage_rows.nth(0).get_by_test_id("pair-storage-class").input_value() == "ocs-storagecluster-ceph-rbd"
    page.get_by_test_id("save-template").check()
    page.fill("[data-testid=template-name]", "db-disks")
    shot(page, "storage")
    next_step(page, "type")
    page.get_by_test_id("type-cold").check()
    next_step(page, "hooks")
    redrawn(page, lambda: page.select_option("[data-testid=hook-kind-PreHook]", "playbook"))
    page.fill("[data-testid=hook-playbook-PreHook]", PLAYBOOK)
    shot(page, "hooks")

    # Back two steps and forward again: every choice is still there.
    page.get_by_test_id("back").click()
    step(page, "type")
    page.get_by_test_id("back").click()
    step(page, "storage")
    assert page.get_by_test_id("save-template").is_checked()
    assert page.input_value("[data-testid=template-name]") == "db-disks"
    page.go_back()  # the browser's own Back walks the wizard's steps too
    step(page, "type")
    page.go_forward()
    step(page, "storage")
    next_step(page, "type")
    assert page.get_by_test_id("type-cold").is_checked()
    next_step(page, "hooks")
    assert page.input_value("[data-testid=hook-playbook-PreHook]") == PLAYBOOK
    page.get_by_test_id("nav-network").click()
    step(page, "network")
    assert page.input_value("[data-testid=template-name]") == "db-networks"
    assert [r.get_by_test_id("pair-destination").input_value() for r in page.get_by_test_id("pair-row").all()] \
        == ["pod", "mtv-user/vlan-100"]
    page.get_by_test_id("nav-review").click()
    step(page, "review")

    # Review: the checks, each VM's name in the target, and an edit link back to each step.
    assert "db-wave in project team-a — Databases first" in page.get_by_test_id("review-name").inner_text()
    assert "template db-networks" in page.get_by_test_id("review-network").inner_text()
    assert "PreHook: a new playbook" in page.get_by_test_id("review-hooks").inner_text()
    assert page.get_by_test_id(f"target-name-{VM}").get_attribute("placeholder") == VM
    page.reload()  # a reload loses nothing either
    step(page, "review")
    shot(page, "review")
    page.get_by_test_id("edit-general").click()
    step(page, "general")
    assert page.input_value("[data-testid=plan-name]") == "db-wave"
    page.get_by_test_id("nav-review").click()
    step(page, "review")
    page.fill(f"[data-testid=target-name-{VM}]", "db-primary")
    page.get_by_test_id("finish").click()
    page.wait_for_url("**/plans/*/")
    assert "Created plan db-wave: Ready." in page.locator("#messages").inner_text()
    shot(page, "created")

    plan = Plan.objects.get(name="db-wave")
    assert (plan.namespace, plan.target_namespace, plan.description, plan.warm) == (
        "team-a", "mtv-user", "Databases first", False)
    assert plan.status == Plan.Status.READY, plan.status_reasons
    assert [(v.name, v.target_name) for v in plan.vms.all()] == [(VM, "db-primary")]
    network_map, storage_map = NetworkMap.objects.get(name="db-networks"), StorageMap.objects.get(name="db-disks")
    assert (plan.network_map, plan.storage_map) == (network_map, storage_map)
    assert sorted(p.destination for p in network_map.pairs.all()) == ["mtv-user/vlan-100", "pod"]
    assert {(p.storage_class, p.access_mode, p.volume_mode) for p in storage_map.pairs.all()} == {
        ("ocs-storagecluster-ceph-rbd", "ReadWriteMany", "Block")}
    hook = Hook.objects.get(namespace="team-a", name="db-wave-prehook")
    assert hook.playbook == PLAYBOOK
    assert [(u.plan_vm.name, u.step) for u in hook.uses.all()] == [(VM, "PreHook")]

    # Edit through the same steps: the templates are offered and already chosen.
    page.get_by_test_id("edit").click()
    step(page, "general")
    assert page.get_by_test_id("wizard-title").inner_text() == "Edit plan db-wave"
    page.get_by_test_id("nav-network").click()
    step(page, "network")
    assert page.get_by_test_id("mode-existing").is_checked()
    assert page.locator("[data-testid=existing-map] option:checked").inner_text() == "db-networks"
    page.get_by_test_id("nav-type").click()
    step(page, "type")
    page.get_by_test_id("type-warm").check()  # vSphere can
    page.get_by_test_id("nav-review").click()
    step(page, "review")
    page.get_by_test_id("finish").click()
    page.wait_for_url(f"**/plans/{plan.pk}/")
    plan.refresh_from_db()
    assert plan.warm and plan.network_map == network_map

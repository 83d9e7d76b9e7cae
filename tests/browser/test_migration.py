"""A vSphere migration started from the browser: the progress bars move over the websocket, the
plan ends Succeeded and so do the Migrations table and the action buttons without a reload, the
logs download with the VM's transfer log in them (and no secret), and the disk arrived with the
source's bytes."""

import os
import tarfile
import uuid

import pytest

from plans import status
from plans.models import Plan
from tests.engine.helpers import blake3_of, claim_file, vsphere_plan
from tests.factories import grant
from tests.fixtures.app import manage_process
from tests.fixtures.browser import log_in
from tests.plans.helpers import lab_source_and_target

pytestmark = [pytest.mark.browser, pytest.mark.lab, pytest.mark.django_db(transaction=True)]
VM = "mtv-db-2disk-2nic"
SHOTS = os.environ.get("MTVWEB_SCREENSHOTS")


@pytest.fixture
def plan(settings, kube_lab, vsphere_lab, people):
    source, host = lab_source_and_target(settings, kube_lab, vsphere_lab)
    plan = vsphere_plan(source, host, [VM], f"web-{uuid.uuid4().hex[:6]}", name="from-browser")
    grant(people["editor"], "editor", plan.target_namespace)  # who starts it may migrate into it
    status.refresh(plan)
    assert plan.status == Plan.Status.READY, plan.status_reasons
    return plan


def test_start_watch_progress_and_succeed(page, people, plan, vsphere_lab, kube_lab, monkeypatch, tmp_path,
                                          request):
    from kubernetes import client, config

    # Slow the copy down (12 MiB/s) so that the bars have time to be seen moving.
    monkeypatch.setenv("MTVWEB_TRANSFER_MAX_RATE", str(12 << 20))
    request.getfixturevalue("engine_process")
    log_in(page, people["editor"])
    page.goto(f"/plans/{plan.pk}/")
    page.get_by_test_id("start").click()
    page.get_by_test_id("confirm").click()
    page.wait_for_url(f"**/plans/{plan.pk}/")
    seen = set()
    page.wait_for_selector("[data-testid=disk-bar]", timeout=60_000)
    for _ in range(600):  # at most a minute
        values = page.eval_on_selector_all("[data-testid=disk-bar]", "bars => bars.map(b => b.value)")
        seen.update(values)
        if page.get_attribute("#migration-progress", "data-status") in ("Succeeded", "Failed"):
            break
        page.wait_for_timeout(100)
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, "migration-done.png"), full_page=True)
    assert page.get_by_test_id("progress-status").inner_text() == "Succeeded", page.get_by_test_id(
        "migration-progress").inner_text()
    assert any(0 < v < 100 for v in seen), f"no bar was seen part-way: {sorted(seen)}"
    assert page.eval_on_selector_all("[data-testid=disk-bar]", "bars => bars.map(b => b.value)") == [100, 100]
    assert page.get_by_test_id(f"vm-status-{VM}").inner_text().startswith("Succeeded")
    # The rest of the page follows the same signal, well before its 10 s fallback refresh.
    page.wait_for_function("""() => {
        const row = document.querySelector("[data-testid=migrations] tbody tr");
        return row && row.querySelector("[data-testid=migration-status]").textContent === "Succeeded"
            && [...row.cells].every(cell => cell.textContent.trim() !== "—");
    }""", timeout=5_000)
    page.locator("a[data-testid=archive]").wait_for(timeout=5_000)  # a link again once the run is over
    if SHOTS:
        page.get_by_test_id("migrations").scroll_into_view_if_needed()  # the page's main section scrolls
        page.screenshot(path=os.path.join(SHOTS, "migration-table-done.png"))

    # Get logs, then download them: the VM's transfer log is in the archive.
    worker = manage_process(tmp_path, "qcluster", env={"MTVWEB_KUBECONFIG": kube_lab["admin_kubeconfig"]})
    next(worker)
    try:
        page.get_by_test_id("get-logs").click()
        page.wait_for_url(f"**/plans/{plan.pk}/")
        page.get_by_test_id("download-logs").wait_for(timeout=60_000)
        with page.expect_download() as download:
            page.get_by_test_id("download-logs").click()
        archive = tmp_path / "logs.tar.gz"
        download.value.save_as(archive)
    finally:
        next(worker, None)
    with tarfile.open(archive) as tar:
        names = tar.getnames()
        record = plan.migrations.get().vms.get()
        pod = record.disks[0]["pod"]
        log_name = f"must-gather/namespaces/{plan.target_namespace}/pods/{pod}/transfer/current.log"
        assert log_name in names, names
        assert record.disks[0]["blake3"] in tar.extractfile(log_name).read().decode()
        assert f"must-gather/migrations/{record.migration_id}/{VM}.engine.log" in names
        assert not [n for n in names if "/secret/" in n]
        everything = b"".join(tar.extractfile(m).read() for m in tar.getmembers() if m.isfile())
        assert vsphere_lab["password"].encode() not in everything
    api = config.new_client_from_config(kube_lab["admin_kubeconfig"])
    core = client.CoreV1Api(api)
    record = plan.migrations.get().vms.get()
    lab_disks = {(d["vm"], str(d["key"])): d for d in vsphere_lab["disks"]}
    for disk in record.disks:
        source = lab_disks[(VM, disk["id"])]
        assert blake3_of(claim_file(core, plan.target_namespace, disk["claim"], disk["volumeMode"]),
                         source["capacity"]) == source["blake3"]

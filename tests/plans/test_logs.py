"""Log archives of a plan or one VM: prepared by a worker, downloaded, only for users who may
see the plan, without secrets; without a cluster they still hold our records."""

import io
import tarfile

import pytest
from django.urls import reverse

from plans import actions, logs
from plans.models import RunStatus
from tests.plans.helpers import as_user

pytestmark = pytest.mark.django_db


def test_a_vms_archive_holds_its_records_and_no_other_vm(client, people, make_plan, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    plan = make_plan()
    migration = actions.start(people["editor"], plan)
    migration.vms.filter(vm_id="vm-2").update(status=RunStatus.FAILED, error="disk 1 failed", log="copy failed\n")
    as_user(client, people["editor"])
    assert client.get(reverse("plans:plan_logs", args=[plan.pk])).status_code == 404  # nothing prepared yet
    client.post(reverse("plans:plan_logs", args=[plan.pk]), {"vm": "vm-2"})
    assert logs.state(plan)["state"] == "preparing"
    logs.build(plan.pk, "vm-2")  # what the worker runs
    assert logs.state(plan)["state"] == "ready"
    response = client.get(reverse("plans:plan_logs", args=[plan.pk]))
    assert response["Content-Disposition"].startswith('attachment; filename="plan-1-vm-2-logs-')
    with tarfile.open(fileobj=io.BytesIO(b"".join(response.streaming_content))) as tar:
        names = tar.getnames()
        engine_log = tar.extractfile(f"must-gather/migrations/{migration.pk}/db-1.engine.log").read()
    assert f"must-gather/migrations/{migration.pk}/db-1.yaml" in names and engine_log == b"copy failed\n"
    assert not [n for n in names if "web-1" in n]
    assert "must-gather/plans/plan-1.yaml" in names and "must-gather/cluster-unreachable.txt" in names
    as_user(client, people["outsider"])
    assert client.get(reverse("plans:plan_logs", args=[plan.pk])).status_code == 404


def test_a_viewer_may_download_but_not_prepare_logs(client, people, make_plan, settings, tmp_path):
    """Preparing an archive queues work and writes to disk: the run role's business. A viewer is
    refused (and offered no button); an archive an editor prepared is still theirs to download."""
    settings.DATA_DIR = tmp_path
    plan = make_plan()
    actions.start(people["editor"], plan)
    as_user(client, people["viewer"])
    page = client.get(reverse("plans:plan_progress", args=[plan.pk])).content.decode()
    assert 'data-testid="migration-progress"' in page and 'data-testid="get-logs"' not in page
    assert client.post(reverse("plans:plan_logs", args=[plan.pk])).status_code == 403
    assert logs.state(plan).get("state") != "preparing"
    as_user(client, people["editor"])
    assert 'data-testid="get-logs"' in client.get(reverse("plans:plan_progress", args=[plan.pk])).content.decode()
    client.post(reverse("plans:plan_logs", args=[plan.pk]))
    logs.build(plan.pk, "")
    as_user(client, people["viewer"])
    assert client.get(reverse("plans:plan_logs", args=[plan.pk])).status_code == 200


def test_a_deleted_plans_archives_go_with_it(people, make_plan, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    plan = make_plan()
    logs._set_state(plan, state="preparing", vm="")
    pk = plan.pk
    kept = make_plan("other")
    logs._set_state(kept, state="ready", vm="")
    plan.delete()
    assert not (tmp_path / "logs" / f"plan-{pk}").exists()
    assert logs.state(kept)["state"] == "ready"

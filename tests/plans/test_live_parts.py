"""The parts of the plan page a migration changes, each fetched again when the plan rings
(plans/live.py): the progress block, the Migrations table and the action buttons show the latest
state, and only to users who may view the plan."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import localize

from plans.models import Migration, MigrationVM, RunStatus
from tests.plans.helpers import as_user, ran

pytestmark = pytest.mark.django_db
PARTS = ["plan_progress", "plan_migrations", "plan_actions"]


def part(client, name, plan) -> str:
    response = client.get(reverse(f"plans:{name}", args=[plan.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_each_part_shows_the_run_as_it_is_now(client, people, make_plan):
    plan = make_plan()
    migration = ran(plan, RunStatus.RUNNING)
    editor = as_user(client, people["editor"])
    assert 'data-status="Running"' in part(editor, "plan_progress", plan)
    assert 'data-testid="migration-status">Running<' in part(editor, "plan_migrations", plan)
    assert 'title="Plan plan-1 is already running (Running)."' in part(editor, "plan_actions", plan)

    started = timezone.now() - timedelta(days=2)
    ended = started + timedelta(hours=3)
    MigrationVM.objects.filter(migration=migration).update(status=RunStatus.SUCCEEDED)
    Migration.objects.filter(pk=migration.pk).update(status=RunStatus.SUCCEEDED, started=started, completed=ended)
    assert 'data-status="Succeeded"' in part(editor, "plan_progress", plan)
    table = part(editor, "plan_migrations", plan)
    assert 'data-testid="migration-status">Succeeded<' in table
    for moment in (started, ended):
        assert f'<td class="pf-v6-c-table__td">{localize(timezone.template_localtime(moment))}</td>' in table
    actions = part(editor, "plan_actions", plan)
    assert "already running" not in actions and f'href="/plans/{plan.pk}/archive/" data-testid="archive"' in actions


def test_a_viewer_gets_the_parts_without_write_controls(client, people, make_plan):
    plan = make_plan()
    ran(plan, RunStatus.FAILED)
    viewer = as_user(client, people["viewer"])
    assert 'data-testid="migration-status">Failed<' in part(viewer, "plan_migrations", plan)
    actions = part(viewer, "plan_actions", plan)
    for control in ('data-testid="start"', 'data-testid="delete"', 'data-testid="archive"'):
        assert control not in actions


@pytest.mark.parametrize("name", PARTS)
def test_the_parts_are_not_shown_to_users_who_may_not_view_the_plan(client, people, make_plan, name):
    plan = make_plan()
    ran(plan, RunStatus.RUNNING)
    url = reverse(f"plans:{name}", args=[plan.pk])
    assert client.get(url).status_code == 302  # to the login page
    assert as_user(client, people["outsider"]).get(url).status_code == 404


def test_the_page_fetches_each_part_on_the_signal_and_every_10_s(client, people, make_plan):
    plan = make_plan()
    page = as_user(client, people["viewer"]).get(reverse("plans:plan", args=[plan.pk])).content.decode()
    assert f'data-plan-ws="/ws/plans/{plan.pk}/"' in page
    for name in PARTS:
        assert (f'hx-get="{reverse(f"plans:{name}", args=[plan.pk])}" '
                'hx-trigger="mtv:changed from:body, every 10s" hx-swap="innerHTML"') in page

"""mtvweb.access on its own: which role each action takes, `can` for creating in a namespace, and
`restrict` for what a user sees and may touch, shared providers of the operator namespace included.
The pages built on it are tests/test_access.py."""

import pytest
from django.contrib.auth.models import AnonymousUser

from mappings.models import NetworkMap
from mtvweb.access import can, required_role, roles_at_least
from mtvweb.roles import ADMIN, EDITOR, VIEWER
from plans.models import Migration, Plan
from providers.models import Provider
from tests.factories import NetworkMapFactory, PlanFactory, ProviderFactory, UserFactory, grant

pytestmark = pytest.mark.django_db


def test_each_role_includes_the_ones_below():
    assert roles_at_least(VIEWER) == [VIEWER, EDITOR, ADMIN]
    assert roles_at_least(EDITOR) == [EDITOR, ADMIN]
    assert roles_at_least(ADMIN) == [ADMIN]


def test_the_role_each_action_needs():
    assert [required_role(Plan, a) for a in ("view", "add", "change", "delete", "run")] == [
        VIEWER, EDITOR, EDITOR, EDITOR, EDITOR]
    assert [required_role(Provider, a) for a in ("view", "add", "change", "delete")] == [VIEWER, ADMIN, ADMIN, ADMIN]
    with pytest.raises(ValueError, match="Plan has no access rule for action 'fly'"):
        required_role(Plan, "fly")


@pytest.mark.parametrize("role,allowed", [
    ("viewer", {"view"}), ("editor", {"view", "add", "change", "delete", "run"}),
    ("admin", {"view", "add", "change", "delete", "run"})])
def test_can_follows_the_role_in_that_namespace_only(role, allowed):
    user = UserFactory()
    grant(user, role, "team-a")
    for action in ("view", "add", "change", "delete", "run"):
        assert can(user, Plan, action, "team-a") == (action in allowed), action
        assert not can(user, Plan, action, "team-b")
    assert can(user, Provider, "add", "team-a") == (role == "admin")


def test_cluster_admins_may_everything_and_nobody_else_anything():
    PlanFactory(namespace="team-a")
    root = UserFactory(is_superuser=True)
    assert can(root, Provider, "delete", "anywhere") and Plan.objects.restrict(root).exists()
    assert not can(AnonymousUser(), Plan, "view", "team-a")
    retired = UserFactory(is_active=False, is_superuser=True)  # a deactivated account, even an admin's
    grant(retired, "admin", "team-a")
    assert not can(retired, Plan, "view", "team-a") and not Plan.objects.restrict(retired).exists()


def test_restrict_shows_each_user_the_namespaces_of_their_roles():
    a, b = PlanFactory(namespace="team-a"), PlanFactory(namespace="team-b")
    viewer, editor, root = UserFactory(), UserFactory(), UserFactory(is_superuser=True)
    grant(viewer, "viewer", "team-a")
    grant(editor, "editor", "team-b")
    assert set(Plan.objects.restrict(viewer)) == {a}
    assert set(Plan.objects.restrict(viewer, "change")) == set()
    assert set(Plan.objects.restrict(editor, "change")) == {b}
    assert set(Plan.objects.restrict(root, "delete")) == {a, b}
    assert not Plan.objects.restrict(AnonymousUser()).exists()
    assert not Plan.objects.restrict(UserFactory()).exists()  # no role anywhere
    # Models reached through another's namespace (a migration is its plan's).
    run = Migration.objects.create(plan=a)
    assert set(Migration.objects.restrict(viewer)) == {run} and not Migration.objects.restrict(editor).exists()


def test_providers_of_the_operator_namespace_are_seen_by_everyone_with_a_role(settings):
    shared = ProviderFactory(namespace=settings.MTVWEB_NAMESPACE)
    own = ProviderFactory(namespace="team-a")
    viewer, stranger = UserFactory(), UserFactory()
    grant(viewer, "viewer", "team-a")
    assert set(Provider.objects.restrict(viewer)) == {shared, own}
    assert set(Provider.objects.restrict(viewer, "change")) == set()  # seen and used, not changed
    assert not Provider.objects.restrict(stranger).exists()  # no role anywhere: nothing shared either
    # Only providers are shared that way, not maps in the operator namespace.
    NetworkMapFactory(namespace=settings.MTVWEB_NAMESPACE)
    assert not NetworkMap.objects.restrict(viewer).exists()

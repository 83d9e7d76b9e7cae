"""The role matrix: every page for a cluster admin, a namespace admin, editor and viewer of
team-a, an outsider (editor of team-b only) and an anonymous visitor."""

import pytest
from django.urls import reverse

pytestmark = [pytest.mark.django_db, pytest.mark.smoke]

ROLES = ["admin", "nsadmin", "editor", "viewer", "outsider", "anonymous"]


def expect(admin, nsadmin, editor, viewer, outsider, anonymous=302):
    return dict(zip(ROLES, [admin, nsadmin, editor, viewer, outsider, anonymous], strict=True))


# (url name, object key or None, expected status per role)
PLAN_LIKE = {
    "list": expect(200, 200, 200, 200, 200),
    "add": expect(200, 200, 200, 403, 200),  # the outsider may create in team-b
    "detail": expect(200, 200, 200, 200, 404),
    "edit": expect(200, 200, 200, 403, 404),
    "delete": expect(200, 200, 200, 403, 404),
}
# Creating and editing plans is the wizard's (its own tests); the plan pages have list, detail and delete.
PLAN = {kind: PLAN_LIKE[kind] for kind in ("list", "detail", "delete")}
PROVIDER = {
    "list": expect(200, 200, 200, 200, 200),
    "add": expect(200, 200, 403, 403, 403),  # providers need the namespace admin role
    "detail": expect(200, 200, 200, 200, 404),
    "edit": expect(200, 200, 403, 403, 404),
    "delete": expect(200, 200, 403, 403, 404),
}
PAGES = {
    "plans:plan": PLAN,
    "mappings:networkmap": PLAN_LIKE,
    "mappings:storagemap": PLAN_LIKE,
    "providers:provider": PROVIDER,
}
SUFFIX = {"list": "_list", "add": "_add", "detail": "", "edit": "_edit", "delete": "_delete"}
CASES = [(page, kind, role) for page, table in PAGES.items() for kind in table for role in ROLES]


def client_for(client, people, role):
    if role != "anonymous":
        client.force_login(people[role])
    return client


@pytest.mark.parametrize("page,kind,role", CASES, ids=[f"{p}-{k}-{r}" for p, k, r in CASES])
def test_object_pages(client, people, objects, page, kind, role):
    key = page.split(":")[1]
    args = [objects[key].pk] if kind in ("detail", "edit", "delete") else []
    response = client_for(client, people, role).get(reverse(page + SUFFIX[kind], args=args))
    assert response.status_code == PAGES[page][kind][role]
    if response.status_code == 302:
        assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("role,status", expect(200, 403, 403, 403, 403).items())
def test_overview_is_for_cluster_admins(client, people, role, status):
    response = client_for(client, people, role).get(reverse("overview"))
    assert response.status_code == status


@pytest.mark.parametrize("role,status", expect(200, 403, 403, 403, 403).items())
def test_settings_are_for_cluster_admins(client, people, role, status):
    client = client_for(client, people, role)
    response = client.post(reverse("setting_edit", args=["max_vm_inflight"]), {"max_vm_inflight": "5"})
    assert response.status_code == status
    from plans.settings import ControllerSettings

    assert ControllerSettings.current().max_vm_inflight == (5 if status == 200 else 20)


@pytest.mark.parametrize("role", ["admin", "nsadmin", "editor", "viewer", "outsider"])
def test_lists_show_only_visible_namespaces(client, people, objects, role):
    body = client_for(client, people, role).get(reverse("plans:plan_list")).content.decode()
    sees_a = objects["plan"].name in body
    sees_b = objects["other_plan"].name in body
    assert (sees_a, sees_b) == {
        "admin": (True, True), "nsadmin": (True, False), "editor": (True, False),
        "viewer": (True, False), "outsider": (False, True),
    }[role]


def test_viewer_cannot_post_changes(client, people, objects):
    client.force_login(people["viewer"])
    plan = objects["plan"]
    for name in ("plans:plan_archive", "plans:plan_delete", "plans:plan_start"):
        assert client.post(reverse(name, args=[plan.pk])).status_code == 403
    plan.refresh_from_db()
    assert not plan.archived and not plan.migrations.exists()


def test_writes_are_checked_again_after_saving(rf, people):
    """Even a form that offered a namespace it should not have cannot move an object there."""
    from django.contrib.messages.storage.fallback import FallbackStorage
    from django.core.exceptions import PermissionDenied

    from mtvweb.forms import NamespacedForm
    from mtvweb.views.generic import ObjectEditView
    from plans.models import Hook

    class CarelessHookForm(NamespacedForm):
        def __init__(self, *args, **kwargs):
            kwargs["namespaces"] = None  # offers every namespace, like an admin's form
            super().__init__(*args, **kwargs)

        class Meta:
            model = Hook
            fields = ["name", "namespace", "image"]

    view = ObjectEditView.as_view(queryset=Hook.objects.all(), form=CarelessHookForm)
    request = rf.post("/", {"name": "smuggled", "namespace": "team-b", "image": Hook.DEFAULT_IMAGE})
    request.user, request.htmx, request.namespace = people["editor"], False, None
    request.session, request._messages = {}, None
    request._messages = FallbackStorage(request)
    with pytest.raises(PermissionDenied):
        view(request)
    assert not Hook.objects.filter(name="smuggled").exists()


def test_delete_refuses_objects_still_in_use(client, people, objects):
    client.force_login(people["admin"])
    provider = objects["provider"]
    response = client.post(reverse("providers:provider_delete", args=[provider.pk]), follow=True)
    assert "still used by" in response.content.decode()
    assert type(provider).objects.filter(pk=provider.pk).exists()


def test_providers_in_the_operator_namespace_are_shared_for_viewing(client, people):
    from tests.factories import ProviderFactory

    shared = ProviderFactory(namespace="openshift-mtv", name="shared-vcenter")
    for role, can_view in [("viewer", True), ("outsider", True), ("editor", True)]:
        client.force_login(people[role])
        assert (client.get(shared.get_absolute_url()).status_code == 200) is can_view
        assert client.get(reverse("providers:provider_edit", args=[shared.pk])).status_code == 403
    from django.contrib.auth import get_user_model

    nobody = get_user_model().objects.create(username="no-roles")
    client.force_login(nobody)
    assert client.get(shared.get_absolute_url()).status_code == 404

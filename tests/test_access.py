"""The role matrix: every URL pattern of the site (pages, REST API, the inventory API, downloads)
for a cluster admin, a namespace admin, editor and viewer of team-a, an outsider (editor of team-b
only) and an anonymous visitor, and every websocket route. A route added without a row in the
matrix fails test_every_route_has_a_row."""

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.urls import URLResolver, get_resolver, reverse

pytestmark = [pytest.mark.django_db, pytest.mark.smoke]

ROLES = ["admin", "nsadmin", "editor", "viewer", "outsider", "anonymous"]


def expect(admin, nsadmin, editor, viewer, outsider, anonymous=302):
    return dict(zip(ROLES, [admin, nsadmin, editor, viewer, outsider, anonymous], strict=True))



@dataclass(frozen=True)
class Route:
    """How to call one URL pattern, and what each role gets."""

    expected: dict  # role → status
    args: Callable[[dict], list] = lambda world: []  # from the world fixture
    method: str = "get"
    data: Callable[[dict], dict] = lambda world: {}
    json: bool = False  # send data as a JSON body


PAGE = expect(200, 200, 200, 200, 200)  # lists: each role sees its own rows (test_lists_show_only…)
SEEN = expect(200, 200, 200, 200, 404)  # one team-a object: the outsider may not know it exists
ADDED = expect(200, 200, 200, 403, 200)  # the outsider may create in team-b
CHANGED = expect(200, 200, 200, 403, 404)
ADMIN_ONLY = expect(200, 403, 403, 403, 403)
PROVIDER_ADMIN = expect(200, 200, 403, 403, 404)
API_ANONYMOUS = 401  # the API answers, it does not send to the login page
API_PAGE, API_SEEN = ({**e, "anonymous": API_ANONYMOUS} for e in (PAGE, SEEN))


def pk(key):
    return lambda world: [world[key].pk]


def inventory_args(*more):
    return lambda world: ["vsphere", str(world["provider"].uid), *more]


# Every URL pattern of the site, by name (test_every_route_has_a_row fails on one without a row).
ROUTES = {
    "home": Route(expect(302, 302, 302, 302, 302)),
    "login": Route(expect(200, 200, 200, 200, 200, 200)),
    "logout": Route(expect(302, 302, 302, 302, 302, 302), method="post"),
    "overview": Route(ADMIN_ONLY),
    "setting_edit": Route(ADMIN_ONLY, args=lambda w: ["max_vm_inflight"]),
    # providers
    "providers:provider_list": Route(PAGE),
    "providers:provider_add": Route(expect(200, 200, 403, 403, 403)),  # providers need the namespace admin role
    "providers:provider": Route(SEEN, pk("provider")),
    "providers:provider_edit": Route(PROVIDER_ADMIN, pk("provider")),
    "providers:provider_delete": Route(PROVIDER_ADMIN, pk("provider")),
    "providers:provider_bulk": Route(expect(200, 200, 200, 200, 302), method="post",
                                     data=lambda w: {"action": "delete", "pk": [w["provider"].pk]}),
    "providers:thumbprint": Route(expect(404, 404, 403, 403, 403), args=lambda w: ["vsphere"], method="post"),
    "providers:rules": Route(ADMIN_ONLY),
    "providers:rule_add": Route(ADMIN_ONLY),
    "providers:rule_edit": Route(ADMIN_ONLY, pk("rule")),
    "providers:rule_delete": Route(expect(302, 403, 403, 403, 403), pk("rule"), method="post"),
    "providers:provider_refresh": Route(expect(302, 302, 403, 403, 404), pk("provider"), method="post"),
    "providers:provider_test": Route(expect(302, 302, 403, 403, 404), pk("provider"), method="post"),
    "providers:provider_status": Route(SEEN, pk("provider")),
    "providers:host_setting": Route(expect(200, 200, 403, 403, 404), lambda w: [w["provider"].pk, "host-1"],
                                    method="post", data=lambda w: {"ip_address": ""}),
    "providers:provider_inventory": Route(SEEN, lambda w: [w["provider"].pk, "vms"]),
    # maps
    **{f"mappings:{kind}map{suffix}": route for kind in ("network", "storage") for suffix, route in {
        "_list": Route(PAGE),
        "_add": Route(ADDED),
        "": Route(SEEN, pk(f"{kind}map")),
        "_edit": Route(CHANGED, pk(f"{kind}map")),
        "_delete": Route(CHANGED, pk(f"{kind}map")),
        "_bulk": Route(expect(200, 200, 200, 200, 302), method="post",
                       data=lambda w, kind=kind: {"action": "delete", "pk": [w[f"{kind}map"].pk]}),
        "_rows": Route(ADDED, method="post"),
    }.items()},
    # plans
    "plans:plan_list": Route(PAGE),
    "plans:plan_list_csv": Route(PAGE),
    "plans:plan_bulk": Route(expect(200, 200, 200, 200, 302), method="post",
                             data=lambda w: {"action": "archive", "pk": [w["plan"].pk]}),
    **{f"plans:{name}": Route(SEEN, pk("plan")) for name in (
        "plan", "plan_progress", "plan_migrations", "plan_actions", "plan_vms", "plan_mappings", "plan_hooks",
        "plan_yaml", "plan_yaml_download", "plan_vms_csv", "plan_logs")},
    "plans:plan_cancel": Route(expect(302, 302, 302, 403, 404), pk("plan"), method="post",
                               data=lambda w: {"vm": [w["running_vm"]]}),
    "plans:plan_start": Route(CHANGED, pk("plan")),
    "plans:plan_duplicate": Route(CHANGED, pk("plan")),
    "plans:plan_archive": Route(CHANGED, pk("plan")),
    "plans:plan_delete": Route(CHANGED, pk("plan")),
    "plans:wizard_new": Route(ADDED),
    "plans:wizard_edit": Route(expect(302, 302, 302, 302, 404), pk("plan")),  # a viewer is sent back, told why
    # a wizard belongs to whoever started it (the editor)
    "plans:wizard_step": Route(expect(404, 404, 200, 404, 404), lambda w: [w["wizard"].pk, "general"]),
    # REST API
    "openapi": Route(expect(200, 200, 200, 200, 200, 200)),
    "api-providers": Route(API_PAGE),
    "api-provider": Route(API_SEEN, pk("provider")),
    "api-networkmaps": Route(API_PAGE),
    "api-networkmap": Route(API_SEEN, pk("networkmap")),
    "api-storagemaps": Route(API_PAGE),
    "api-storagemap": Route(API_SEEN, pk("storagemap")),
    "api-plans": Route(API_PAGE),
    "api-plans-bulk": Route(expect(200, 200, 200, 200, 200, API_ANONYMOUS), method="post", json=True,
                            data=lambda w: {"action": "archive", "ids": [w["plan"].pk]}),
    "api-plan": Route(API_SEEN, pk("plan")),
    "api-plan-start": Route(expect(409, 409, 409, 403, 404, API_ANONYMOUS), pk("plan"), method="post"),
    "api-plan-migrations": Route(API_SEEN, pk("plan")),
    "api-plan-cancel": Route(expect(200, 200, 200, 403, 404, API_ANONYMOUS), pk("plan"), method="post",
                             json=True, data=lambda w: {"vms": [w["running_vm"]]}),
    "api-plan-duplicate": Route(expect(201, 201, 201, 403, 404, API_ANONYMOUS), pk("plan"), method="post",
                                json=True, data=lambda w: {"name": "copy"}),
    "api-plan-archive": Route(expect(409, 409, 409, 403, 404, API_ANONYMOUS), pk("plan"), method="post"),
    "api-plan-yaml": Route(API_SEEN, pk("plan")),
    "api-hooks": Route(API_PAGE),
    "api-hook": Route(API_SEEN, pk("hook")),
    # the inventory at Forklift's paths
    "inventory-providers": Route(API_PAGE),
    "inventory-providers-of-type": Route(API_PAGE, lambda w: ["vsphere"]),
    "inventory-provider": Route(API_SEEN, inventory_args()),
    "inventory-workload": Route(API_SEEN, inventory_args("vm-1")),
    "inventory-collection": Route(API_SEEN, inventory_args("vms")),
    "inventory-object": Route(API_SEEN, inventory_args("vms", "vm-1")),
    "rules-version": Route(expect(200, 200, 200, 200, 200, API_ANONYMOUS), lambda w: ["vmware"]),
}
CASES = [(name, role) for name in ROUTES for role in ROLES]


def url_names(patterns=None, namespace=""):
    """Every named URL pattern of the site, with its namespace (providers:provider_list…)."""
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from url_names(entry.url_patterns, inner)
        elif entry.name:
            yield f"{namespace}{entry.name}"


def test_every_route_has_a_row():
    names = list(url_names())
    assert len(names) == len(set(names)), "two routes share a name: give them their own"
    assert sorted(set(names) - set(ROUTES)) == [], "routes without a row in the access matrix: add them to ROUTES"
    assert sorted(set(ROUTES) - set(names)) == [], "rows for routes that are gone"


@pytest.fixture
def world(objects, people, settings, tmp_path):
    """The `objects` of team-a and team-b, plus a hook, a custom rule, a VM in the provider's
    inventory and an ESXi host, a running migration, a ready log archive and the editor's wizard."""
    from plans.logs import _set_state, directory
    from plans.models import Hook, Migration, MigrationVM, PlanVM, RunStatus, WizardState
    from providers.models import InventoryObject, ValidationRule, VirtualMachine

    settings.DATA_DIR = tmp_path
    provider, plan = objects["provider"], objects["plan"]
    # The connection test must fail at once, not wait on a name that does not resolve.
    type(provider).objects.filter(pk=provider.pk).update(url="https://127.0.0.1:1/sdk")
    provider.refresh_from_db()
    VirtualMachine.objects.create(provider=provider, uid="vm-1", name="web-1", path="/DC0/vm/web-1", digest="x")
    InventoryObject.objects.create(provider=provider, kind="host", uid="host-1", name="esx-1", digest="x",
                                   data={"networking": {"vNICs": [{"key": "vmk0", "ipAddress": "10.0.0.5"}]}})
    PlanVM.objects.create(plan=plan, vm_id="vm-1", name="web-1")
    migration = Migration.objects.create(plan=plan, status=RunStatus.RUNNING, started_by=people["admin"])
    MigrationVM.objects.create(migration=migration, vm_id="vm-1", name="web-1", status=RunStatus.RUNNING)
    (directory(plan) / "logs.tar.gz").write_bytes(b"archive")
    _set_state(plan, state="ready", file="logs.tar.gz", vm="")
    return {**objects, "running_vm": "vm-1",
            "hook": Hook.objects.create(namespace="team-a", name="prep", image="quay.io/team-a/prep:1"),
            "rule": ValidationRule.objects.create(provider_type="vsphere", name="noop", source="package x"),
            "wizard": WizardState.objects.create(user=people["editor"], data={"general": {"namespace": "team-a"}})}


def client_for(client, people, role):
    if role != "anonymous":
        client.force_login(people[role])
    return client


@pytest.mark.parametrize("name,role", CASES, ids=[f"{n}-{r}" for n, r in CASES])
def test_every_route_for_every_role(client, people, world, name, role):
    route = ROUTES[name]
    url = reverse(name, args=route.args(world))
    data = route.data(world)
    call = getattr(client_for(client, people, role), route.method)
    response = call(url, data, content_type="application/json") if route.json else call(url, data)
    assert response.status_code == route.expected[role], getattr(response, "content", b"")[:300]
    if response.status_code == 302 and role == "anonymous" and name not in ("home", "logout"):
        assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("role,status", expect(200, 403, 403, 403, 403).items())
def test_settings_are_for_cluster_admins(client, people, role, status):
    client = client_for(client, people, role)
    response = client.post(reverse("setting_edit", args=["max_vm_inflight"]), {"max_vm_inflight": "5"})
    assert response.status_code == status
    from plans.settings import ControllerSettings

    assert ControllerSettings.current().max_vm_inflight == (5 if status == 200 else 20)


# Every websocket route: whether the socket is accepted, else the close code that says why.
WEBSOCKETS = {
    "ws/plans/<int:plan_id>/": expect((True, None), (True, None), (True, None), (True, None), (False, 4403),
                                      (False, 4401)),
}


def test_every_websocket_has_a_row():
    from mtvweb.routing import websocket_urlpatterns

    assert sorted(str(p.pattern) for p in websocket_urlpatterns) == sorted(WEBSOCKETS)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("role", ROLES)
def test_every_websocket_for_every_role(people, objects, role):
    from asgiref.sync import async_to_sync

    from tests.test_websocket import communicator, try_connect

    for pattern, expected in WEBSOCKETS.items():
        assert pattern == "ws/plans/<int:plan_id>/"  # the one route; a new one needs its URL here
        connected, code = async_to_sync(try_connect)(communicator(objects["plan"].pk, people.get(role)))
        assert (connected, None if connected else code) == expected[role]


@pytest.mark.parametrize("role", ROLES[:-1])
def test_downloads_hold_only_what_the_user_may_see(client, people, world, role):
    client_for(client, people, role)
    listed = client.get(reverse("plans:plan_list_csv")).content.decode()
    sees_b = role in ("admin", "outsider")
    assert (world["plan"].name in listed, world["other_plan"].name in listed) == (role != "outsider", sees_b)
    api_listed = {p["name"] for p in client.get(reverse("api-plans")).json()}
    assert api_listed == {p.name for p, seen in ((world["plan"], role != "outsider"),
                                                 (world["other_plan"], sees_b)) if seen}


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


def test_providers_in_the_operator_namespace_are_shared_for_viewing_and_using(client, people):
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
    # Anyone with a role may use it in a plan; nobody else.
    from providers.models import Provider

    for role in ("viewer", "outsider", "editor"):
        assert Provider.objects.restrict(people[role], "use").filter(pk=shared.pk).exists()
    assert not Provider.objects.restrict(nobody, "use").filter(pk=shared.pk).exists()


@pytest.mark.parametrize("role,uses_a,uses_b", [("admin", True, True), ("nsadmin", True, False),
                                                ("editor", True, False), ("viewer", False, False),
                                                ("outsider", False, True)])
def test_using_takes_the_editor_role(people, objects, role, uses_a, uses_b):
    """mtvweb.access's "use": what a plan or a map may refer to (issue 13, attack 3)."""
    from providers.models import Provider

    usable = Provider.objects.restrict(people[role], "use")
    assert usable.filter(pk=objects["provider"].pk).exists() is uses_a
    assert usable.filter(namespace="team-b").exists() is uses_b

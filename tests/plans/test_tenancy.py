"""The walls between namespaces as a plan meets them (issue 13):

* attack 1 — an editor of team-a sends a plan into kube-system: refused at every door (the REST
  API, the wizard, a start, the engine before it touches the cluster);
* attack 3 — a viewer of team-b who edits team-a builds a plan in team-a from team-b's provider,
  maps and hook: refused, since using something takes editor in its namespace;
* attacks 2 and 11 from the wizard's side — the shared host cluster offers an editor of mtv-demo
  only mtv-demo's VMs, namespaces and NetworkAttachmentDefinitions;
* the target namespace rule: reserved namespaces, namespaces of others, new ones by prefix.

Small inventories of our own: tests/plans/conftest.py (team-a) and tests/tenancy_world.py."""

import pytest
from django.urls import reverse

from mappings.models import NetworkMap, StorageMap
from plans import actions, writer
from plans.engine import runner
from plans.models import Hook, Migration, MigrationVM, Plan, PlanVM, RunStatus, WizardState
from plans.settings import ControllerSettings
from providers.models import InventoryObject, Provider, VirtualMachine
from tests.factories import UserFactory, grant
from tests.plans.helpers import as_user
from tests.plans.test_api import api, manifest
from tests.tenancy_world import shared_cluster, tenants

pytestmark = pytest.mark.django_db
KUBE_SYSTEM = ("Namespace kube-system belongs to the cluster itself (kube-*, openshift-*, default and mtvweb's "
               "namespace openshift-mtv are for cluster admins): migrate into a namespace of your project instead — "
               "choose one where you are an editor (team-a) — or ask a cluster admin to run this migration.")


class Wizard:
    def __init__(self, client, user, namespace):
        as_user(client, user)
        self.client = client
        client.post(reverse("plans:wizard_new"), {"namespace": namespace, "action": "refresh"})
        self.state = WizardState.objects.latest("pk")

    def url(self, step):
        return reverse("plans:wizard_step", args=[self.state.pk, step])

    def post(self, step, data=None, **fields):
        return self.client.post(self.url(step), {**(data or {}), **fields})

    def page(self, step, data=None, **fields):
        return self.post(step, data, **fields).content.decode()

    @property
    def data(self):
        self.state.refresh_from_db()
        return self.state.data


def no_cluster(monkeypatch):
    """The engine may not reach a cluster: any attempt fails the test's VM with this text."""
    def refuse(provider):
        raise AssertionError("the engine reached for the cluster")

    monkeypatch.setattr("plans.engine.context.cluster_api", refuse)


def run_initialize(plan, user):
    migration = Migration.objects.create(plan=plan, status=RunStatus.RUNNING, started_by=user)
    record = MigrationVM.objects.create(migration=migration, vm_id=plan.vms.first().vm_id, name="vm")
    return runner.advance(record, ControllerSettings.current())


# --- attack 1: a plan into kube-system ----------------------------------------------------------


def test_attack_1_kube_system_through_the_api(people, inventory):
    response = api(people["editor"]).post(reverse("api-plans"), manifest(targetNamespace="kube-system"), format="json")
    assert (response.status_code, response.json()) == (400, {"spec.targetNamespace": [KUBE_SYSTEM]})
    assert not Plan.objects.exists()


def test_attack_1_kube_system_through_the_wizard(client, people, inventory):
    wizard = Wizard(client, people["editor"], "team-a")
    page = wizard.page("general", name="wave-1", namespace="team-a", source=inventory["source"].pk,
                       target=inventory["target"].pk, target_namespace="kube-system", action="next")
    assert KUBE_SYSTEM.replace("'", "&#x27;") in page
    # Nothing further opens: the review cannot finish.
    wizard.post("vms", names="web-1", action="paste")
    response = wizard.post("review", action="finish")
    assert response.status_code == 400 and not Plan.objects.exists()


def test_attack_1_kube_system_by_changing_a_plan(people, make_plan):
    plan = make_plan("wave-1")
    response = api(people["editor"]).put(reverse("api-plan", args=[plan.pk]),
                                         manifest(targetNamespace="kube-system"), format="json")
    assert response.json() == {"spec.targetNamespace": [KUBE_SYSTEM]}
    plan.refresh_from_db()
    assert plan.target_namespace == "team-a"


def test_attack_1_a_kube_system_plan_saved_before_is_not_started(client, people, make_plan):
    plan = make_plan("old", target_namespace="kube-system")  # saved before the rule, or by a cluster admin
    assert plan.status == Plan.Status.READY
    with pytest.raises(actions.PermissionDenied, match="kube-system belongs to the cluster itself"):
        actions.start(people["editor"], plan)
    as_user(client, people["editor"])
    assert client.post(reverse("plans:plan_start", args=[plan.pk])).status_code == 403
    answer = api(people["editor"]).post(reverse("api-plan-start", args=[plan.pk]))
    assert answer.status_code == 403 and "kube-system belongs to the cluster itself" in answer.json()["detail"]
    assert not plan.migrations.exists()
    assert actions.start(people["admin"], plan).started_by == people["admin"]  # a cluster admin may


def test_the_start_button_says_why_before_the_click_does(client, people, make_plan):
    """Start is refused for the user's roles (not the plan's state): the button is disabled with
    the reason on the plan's page and in the list, and the API's verdict says it too."""
    plan = make_plan("old", target_namespace="kube-system")
    as_user(client, people["editor"])
    reason = "kube-system belongs to the cluster itself"
    for url, testid in ((reverse("plans:plan", args=[plan.pk]), "start"), (reverse("plans:plan_list"), "start-old")):
        html = client.get(url).content.decode()
        assert f'data-testid="{testid}-reason"' in html and reason in html, url
    verdict = api(people["editor"]).get(reverse("api-plan", args=[plan.pk])).json()["actions"]["start"]
    assert verdict["allowed"] is False and reason in verdict["reason"]
    as_user(client, people["admin"])  # a cluster admin may: the button is a link
    assert 'href="%s" data-testid="start"' % reverse("plans:plan_start", args=[plan.pk]) in client.get(
        reverse("plans:plan", args=[plan.pk])).content.decode()


def test_attack_1_the_engine_refuses_before_it_touches_the_cluster(people, make_plan, monkeypatch):
    no_cluster(monkeypatch)
    plan = make_plan("old", target_namespace="kube-system")
    record = run_initialize(plan, people["editor"])
    assert (record.status, record.phase) == (RunStatus.FAILED, "Initialize")
    assert record.error.startswith("Nothing was done in the cluster: Namespace kube-system belongs to the cluster")


# --- the engine re-checks whoever started the run --------------------------------------------------


def test_the_engine_fails_a_vm_whose_starter_lost_the_role(people, make_plan, monkeypatch):
    no_cluster(monkeypatch)
    plan = make_plan("wave-1")
    migration = actions.start(people["editor"], plan)
    assert migration.started_by == people["editor"]
    people["editor"].namespace_roles.update(role="viewer")  # demoted after the start
    record = runner.advance(migration.vms.first(), ControllerSettings.current())
    assert record.status == RunStatus.FAILED
    assert "editor may no longer use the providers of plan wave-1" in record.error


def test_a_run_nobody_started_is_refused(make_plan, monkeypatch):
    no_cluster(monkeypatch)
    record = run_initialize(make_plan("wave-1"), None)
    assert "The user who started plan wave-1 no longer exists or is disabled" in record.error


# --- attack 3: viewer of B, editor of A -------------------------------------------------------------


@pytest.fixture
def team_b(inventory):
    """team-b's own vCenter (with a VM), cluster, maps and hook; mallory edits team-a and only views team-b."""
    source = Provider.objects.create(namespace="team-b", name="vcenter-b", type="vsphere", status="Ready",
                                     url="https://vcenter-b.example.com/sdk")
    target = Provider.objects.create(namespace="team-b", name="host-b", type="openshift", status="Ready")
    VirtualMachine.objects.create(provider=source, uid="vm-b", name="payroll", digest="x", data={})
    mallory = UserFactory(username="mallory")
    grant(mallory, "editor", "team-a")
    grant(mallory, "viewer", "team-b")
    return {"source": source, "target": target, "mallory": mallory,
            "network_map": NetworkMap.objects.create(namespace="team-b", name="nets-b", source_provider=source,
                                                     destination_provider=target),
            "storage_map": StorageMap.objects.create(namespace="team-b", name="disks-b", source_provider=source,
                                                     destination_provider=target),
            "hook": Hook.objects.create(namespace="team-b", name="hook-b", image="quay.io/b/hook:1")}


def team_b_manifest() -> dict:
    body = manifest(provider={"source": {"name": "vcenter-b", "namespace": "team-b"},
                              "destination": {"name": "host-b", "namespace": "team-b"}},
                    map={"network": {"name": "nets-b", "namespace": "team-b"},
                         "storage": {"name": "disks-b", "namespace": "team-b"}},
                    vms=[{"id": "vm-b", "hooks": [{"hook": {"name": "hook-b", "namespace": "team-b"},
                                                   "step": "PreHook"}]}])
    return body


def test_attack_3_a_viewer_may_not_use_another_projects_provider_maps_or_hook(team_b):
    response = api(team_b["mallory"]).post(reverse("api-plans"), team_b_manifest(), format="json")
    assert response.status_code == 400
    errors = response.json()
    assert errors["spec.provider.source"] == [
        "No provider named vcenter-b in project team-b that you may use: create it first or correct the name."]
    assert errors["spec.provider.destination"] == [
        "No provider named host-b in project team-b that you may use: create it first or correct the name."]
    assert errors["spec.map.network"] == [
        "No network map named nets-b in project team-b that you may use: create it first or correct the name."]
    assert errors["spec.map.storage"] == [
        "No storage map named disks-b in project team-b that you may use: create it first or correct the name."]
    assert not Plan.objects.exists()
    # Nothing of team-b is now "in use" by a plan team-b cannot see.
    assert not team_b["hook"].uses.exists() and not team_b["network_map"].plans.exists()


def test_attack_3_the_wizard_offers_and_takes_nothing_of_the_viewed_project(client, team_b, inventory):
    wizard = Wizard(client, team_b["mallory"], "team-a")
    page = wizard.page("general", action="refresh")
    assert f'<option value="{inventory["source"].pk}"' in page
    assert f'<option value="{team_b["source"].pk}"' not in page
    page = wizard.page("general", name="wave-1", namespace="team-a", source=team_b["source"].pk,
                       target=team_b["target"].pk, target_namespace="team-a", action="next")
    assert "Choose the source provider." in page
    # With team-a's providers, team-b's map and hook are not taken either.
    wizard.post("general", name="wave-1", namespace="team-a", source=inventory["source"].pk,
                target=inventory["target"].pk, target_namespace="team-a", action="next")
    assert "Choose a network map, or create a new one." in wizard.page(
        "network", mode="existing", map=team_b["network_map"].pk, action="next")
    assert "Choose one of the project&#x27;s hooks." in wizard.page(
        "hooks", {"PreHook-kind": "existing", "PreHook-hook": team_b["hook"].pk, "PostHook-kind": "none"},
        action="next")


def test_attack_3_the_map_editor_offers_only_providers_the_user_may_use(client, team_b, inventory):
    as_user(client, team_b["mallory"])
    page = client.get(reverse("mappings:networkmap_add")).content.decode()
    assert f'<option value="{inventory["source"].pk}"' in page
    assert f'<option value="{team_b["source"].pk}"' not in page
    response = client.post(reverse("mappings:networkmap_add"), {
        "name": "borrowed", "namespace": "team-a", "source_provider": team_b["source"].pk,
        "destination_provider": inventory["target"].pk, "pair-0-source": "", "pair-0-destination": ""})
    assert "Choose a source provider you may use." in response.content.decode()
    assert not NetworkMap.objects.filter(name="borrowed").exists()


def test_a_plan_started_after_its_starter_became_a_viewer_of_the_source(team_b, people, inventory):
    """Made while mallory was an editor of team-b too; she is a viewer there now."""
    plan = Plan.objects.create(namespace="team-a", name="borrowed", source_provider=team_b["source"],
                               destination_provider=inventory["target"], target_namespace="team-a",
                               network_map=inventory["network_map"], storage_map=inventory["storage_map"],
                               status=Plan.Status.READY)
    PlanVM.objects.create(plan=plan, vm_id="vm-b", name="payroll")
    with pytest.raises(actions.PermissionDenied) as refused:
        actions.start(team_b["mallory"], plan)
    assert str(refused.value) == ("mallory may no longer use the providers of plan borrowed (vcenter-b → host): it "
                                  "takes the editor role in their project.")
    assert not plan.migrations.exists()


def test_maps_and_hooks_must_be_in_the_plans_project(people, inventory):
    """Even where the user is an editor of both projects."""
    grant(people["editor"], "editor", "team-x")
    other = NetworkMap.objects.create(namespace="team-x", name="x-nets", source_provider=inventory["source"],
                                      destination_provider=inventory["target"])
    hook = Hook.objects.create(namespace="team-x", name="x-prep", image="quay.io/x/prep:1")
    body = manifest(map={"network": {"name": "x-nets", "namespace": "team-x"},
                         "storage": {"name": "storagemap", "namespace": "team-a"}},
                    vms=[{"id": "vm-1", "hooks": [{"hook": {"name": "x-prep", "namespace": "team-x"},
                                                   "step": "PreHook"}]}])
    errors = api(people["editor"]).post(reverse("api-plans"), body, format="json").json()
    assert errors == {
        "spec.map.network": [f"Network map team-x/{other.name} is in another project: a plan uses maps of its own "
                             "project (team-a). Choose one there, or create a new one."],
        "spec.vms[0].hooks": [f"Hook team-x/{hook.name} is in another project: a plan runs hooks of its own project "
                              "(team-a). Choose one there, or add the playbook or image as a new hook."]}


# --- attacks 2 and 11 from the wizard: the shared host cluster ----------------------------------------


@pytest.fixture
def cluster(db):
    return {"host": shared_cluster(), **tenants()}


def alice_in_the_wizard(client, cluster, **general):
    wizard = Wizard(client, cluster["alice"], "mtv-demo")
    wizard.post("general", {"name": "wave-1", "namespace": "mtv-demo", "source": cluster["host"].pk,
                            "target": cluster["host"].pk, "target_namespace": "mtv-demo", "transfer_network": "",
                            **general}, action="next")
    return wizard


def test_attack_2_the_vm_step_lists_and_takes_only_vms_of_the_users_namespaces(client, cluster):
    wizard = alice_in_the_wizard(client, cluster)
    page = wizard.page("vms", action="refresh")
    assert 'data-vm="web-1"' in page and 'data-vm="db-1"' not in page
    assert "Folder /mtv-demo" in page and "Folder /mtv-user" not in page
    wizard.post("vms", shown=["vm-mtv-demo", "vm-mtv-user"], vm=["vm-mtv-demo", "vm-mtv-user"], action="update")
    wizard.post("vms", names="db-1", action="paste")
    wizard.post("vms", filter_name="", action="select_matching")
    assert wizard.data["vms"]["ids"] == ["vm-mtv-demo"]


def test_attack_2_another_teams_vm_is_refused_through_the_api(cluster):
    body = manifest(provider={"source": {"name": "host", "namespace": "openshift-mtv"},
                              "destination": {"name": "host", "namespace": "openshift-mtv"}},
                    map={}, targetNamespace="mtv-demo", vms=[{"name": "db-1", "namespace": "mtv-user"}])
    body["metadata"]["namespace"] = "mtv-demo"
    errors = api(cluster["alice"]).post(reverse("api-plans"), body, format="json").json()
    assert errors["spec.vms[0]"] == ["No VM mtv-user/db-1 in the inventory of host."]
    # …and a viewer of mtv-user sees it but may not migrate it.
    grant(cluster["vic"], "editor", "mtv-demo")
    errors = api(cluster["vic"]).post(reverse("api-plans"), body, format="json").json()
    assert errors["spec.vms[0]"] == ["No VM mtv-user/db-1 in the inventory of host."]


def test_attack_11_the_wizard_offers_only_the_users_networks_and_namespaces(client, cluster):
    wizard = alice_in_the_wizard(client, cluster)
    general = wizard.page("general", action="refresh")
    assert '<option value="mtv-demo/vlan-200"' in general and "mtv-user/vlan-100" not in general
    assert '<option value="mtv-demo">' in general and '<option value="mtv-user">' not in general
    assert '<option value="kube-system">' not in general
    wizard.post("vms", names="web-1", action="paste")
    network = wizard.page("network", action="refresh")
    assert 'value="mtv-demo/vlan-200"' in network and "mtv-user/vlan-100" not in network
    page = wizard.page("general", transfer_network="mtv-user/vlan-100", action="next")
    assert "NetworkAttachmentDefinition mtv-user/vlan-100 is not in the cluster of host" in page


# --- the target namespace rule ---------------------------------------------------------------------


def test_a_new_namespace_is_for_cluster_admins_unless_editors_may_create_them(settings, people, inventory):
    refused = writer.target_namespace_problem(people["editor"], "team-a-new", inventory["target"])
    assert refused == ("You may not migrate VMs into namespace team-a-new: it takes the editor role there. Choose "
                       "one where you are an editor (team-a).")
    assert writer.target_namespace_problem(people["admin"], "team-a-new", inventory["target"]) == ""
    settings.MTVWEB_EDITORS_CREATE_NAMESPACES = True
    assert writer.target_namespace_problem(people["editor"], "team-a-new", inventory["target"]) == ""
    assert "it takes the editor role there" in writer.target_namespace_problem(people["editor"], "team-anew",
                                                                               inventory["target"])
    # An existing namespace of the cluster, or one somebody holds, is not anybody's to create.
    InventoryObject.objects.create(provider=inventory["target"], kind="folder", uid="ns-1", name="team-a-prod",
                                   path="/team-a-prod", digest="x")
    assert writer.target_namespace_problem(people["editor"], "team-a-prod", inventory["target"])
    grant(people["outsider"], "editor", "team-a-theirs")
    assert writer.target_namespace_problem(people["editor"], "team-a-theirs", inventory["target"])


def test_whoever_creates_a_namespace_by_prefix_becomes_its_editor(settings, people, inventory):
    settings.MTVWEB_EDITORS_CREATE_NAMESPACES = True
    body = manifest(targetNamespace="team-a-wave1")
    response = api(people["editor"]).post(reverse("api-plans"), body, format="json")
    assert response.status_code == 201, response.json()
    assert people["editor"].namespace_roles.get(namespace="team-a-wave1").role == "editor"
    plan = Plan.objects.get(name="wave-1")
    assert actions.start(people["editor"], plan).started_by == people["editor"]  # checked again, and allowed

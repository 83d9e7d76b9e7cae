"""/api/plans/: create from a Forklift Plan manifest (JSON or YAML), read, and the actions with the
console's rules and messages — 403 for the role, 409 for the plan's state."""

import pytest
import yaml
from django.urls import reverse
from rest_framework.test import APIClient

from mtvweb.models import ApiToken
from plans import actions
from plans.models import Migration, Plan, PlanVMHook, RunStatus
from tests.plans.helpers import ran, running_with_one_vm_done

pytestmark = pytest.mark.django_db


def api(user) -> APIClient:
    client = APIClient()
    _, key = ApiToken.issue(user, "tests")
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client


def manifest(**spec) -> dict:
    base = {
        "apiVersion": "forklift.konveyor.io/v1beta1", "kind": "Plan",
        "metadata": {"name": "wave-1", "namespace": "team-a"},
        "spec": {
            "description": "First wave",
            "provider": {"source": {"name": "vcenter", "namespace": "team-a"},
                         "destination": {"name": "host", "namespace": "team-a"}},
            "map": {"network": {"name": "netmap", "namespace": "team-a"},
                    "storage": {"name": "storagemap", "namespace": "team-a"}},
            "targetNamespace": "team-a",
            "vms": [{"id": "vm-1", "hooks": [{"hook": {"name": "prep", "namespace": "team-a"}, "step": "PreHook"}]},
                    {"name": "db-1", "targetName": "database"}],
        },
    }
    base["spec"].update(spec)
    return base


def test_editor_creates_a_plan_from_a_manifest(people, inventory):
    response = api(people["editor"]).post(reverse("api-plans"), manifest(), format="json")
    assert response.status_code == 201, response.json()
    plan = Plan.objects.get(name="wave-1")
    assert (plan.namespace, plan.description, plan.target_namespace, plan.warm) == (
        "team-a", "First wave", "team-a", False)
    assert (plan.network_map, plan.storage_map) == (inventory["network_map"], inventory["storage_map"])
    assert sorted(plan.vms.values_list("vm_id", "name", "target_name")) == [
        ("vm-1", "web-1", ""), ("vm-2", "db-1", "database")]
    assert list(PlanVMHook.objects.filter(plan_vm__plan=plan).values_list("plan_vm__vm_id", "step")) == [
        ("vm-1", "PreHook")]
    record = response.json()
    assert record["status"] == "Ready" and record["statusReasons"] == []
    assert {v["name"]: v["targetName"] for v in record["vms"]} == {"web-1": "web-1", "db-1": "database"}
    assert {v["name"]: [c["label"] for c in v["concerns"]] for v in record["vms"]} == {
        "web-1": [], "db-1": ["Shared disk"]}
    assert record["networkMap"]["map"][0] == {"source": {"id": "network-2", "name": "Storage Net"},
                                              "destination": {"name": "vlan-100", "namespace": "team-a",
                                                              "type": "multus"}}
    assert record["actions"]["start"] == {"allowed": True, "reason": ""}


def test_a_yaml_body_works_too(people, inventory):
    response = api(people["editor"]).post(reverse("api-plans"), yaml.safe_dump(manifest()),
                                          content_type="application/yaml")
    assert response.status_code == 201, response.content
    assert Plan.objects.filter(name="wave-1").exists()


@pytest.mark.parametrize("change,errors", [
    ({"metadata": {"name": "Wave_1", "namespace": "team-a"}},
     {"metadata.name": ["Wave_1 is not a valid name: use at most 253 lower-case letters, digits, '-' and '.', "
                        "starting and ending with a letter or digit."]}),
    ({"spec": {"vms": []}}, {"spec.vms": ["Select at least one VM to migrate."]}),
    ({"spec": {"vms": [{"id": "vm-404"}]}},
     {"spec.vms[0].id": ["No VM with id vm-404 in the inventory of vcenter."]}),
    ({"spec": {"vms": [{"id": "vm-1"}, {"name": "web-1"}]}},
     {"spec.vms[1]": ["VM web-1 is listed twice (also at spec.vms[0])."]}),
    ({"spec": {"vms": [{"id": "vm-1", "targetName": "Web_1"}]}},
     {"spec.vms[0].targetName": ["'Web_1' is not a valid VM name: it has capital letters; it contains '_'."]}),
    ({"spec": {"vms": [{"id": "vm-1", "hooks": [{"hook": {"name": "prep"}, "step": "PreHook"},
                                                 {"hook": {"name": "prep"}, "step": "PreHook"}]}]}},
     {"spec.vms[0].hooks[1].step": ["The VM has two PreHook hooks; a VM may have at most one per step."]}),
    ({"spec": {"vms": [{"id": "vm-1", "hooks": [{"hook": {"name": "prep"}, "step": "During"}]}]}},
     {"spec.vms[0].hooks[0].step": ["Set step to PreHook or PostHook, not 'During'."]}),
    ({"spec": {"map": {"network": {"name": "nowhere"}}}},
     {"spec.map.network": ["No network map named nowhere in project team-a that you may use: create it first or "
                           "correct the name."],
      "spec.map.storage": ["Choose a storage map, or create a new one."]}),
    ({"spec": {"provider": {"source": {"name": "vcenter"}, "destination": {"name": "vcenter"}}}},
     {"spec.provider.destination": ["The destination must be an OpenShift Virtualization provider; vcenter is "
                                    "VMware vSphere."]}),
    ({"spec": {"targetNamespace": "Not A Namespace"}},
     {"spec.targetNamespace": ["Not A Namespace is not a valid namespace name: use at most 63 lower-case letters, "
                               "digits and '-', starting and ending with a letter or digit."]}),
    ({"spec": {"transferNetwork": {"name": "missing", "namespace": "team-a"}}},
     {"spec.transferNetwork": ["NetworkAttachmentDefinition team-a/missing is not in the cluster of host: create it "
                               "there, or choose another or the default."]}),
    ({"spec": {"archived": True}}, {"spec.archived": ["Archive a plan with its archive action, not through its "
                                                      "spec."]}),
    ({"kind": "NetworkMap"}, {"kind": ["Send a Plan manifest, not a NetworkMap. Create maps and hooks with their "
                                       "own APIs."]}),
])
def test_every_problem_is_reported_at_its_field(people, inventory, change, errors):
    body = manifest()
    for key, value in change.items():
        if key == "spec":
            body["spec"].update(value)
        else:
            body[key] = value
    response = api(people["editor"]).post(reverse("api-plans"), body, format="json")
    assert response.status_code == 400
    assert response.json() == errors
    assert not Plan.objects.exists()


def test_a_map_for_other_providers_is_refused(people, inventory):
    from mappings.models import NetworkMap
    from providers.models import Provider

    other = Provider.objects.create(namespace="team-a", name="rhv", type="ovirt", status="Ready")
    NetworkMap.objects.create(namespace="team-a", name="rhv-nets", source_provider=other,
                              destination_provider=inventory["target"])
    body = manifest(map={"network": {"name": "rhv-nets"}, "storage": {"name": "storagemap"}})
    response = api(people["editor"]).post(reverse("api-plans"), body, format="json")
    assert response.json() == {"spec.map.network": [
        "Network map rhv-nets maps rhv → host, not the plan's vcenter → host: choose a map for these providers."]}


def test_warm_is_refused_where_the_source_cannot(people, inventory):
    from providers.models import Provider

    Provider.objects.filter(pk=inventory["source"].pk).update(type="openstack")
    response = api(people["editor"]).post(reverse("api-plans"), manifest(warm=True), format="json")
    assert response.json()["spec.warm"] == [
        "Warm migration copies disks while the VMs run; OpenStack providers support cold migration only (warm is for "
        "VMware vSphere and Red Hat Virtualization)."]


def test_who_may_create_where(people, inventory):
    response = api(people["viewer"]).post(reverse("api-plans"), manifest(), format="json")
    assert response.status_code == 400
    assert response.json()["metadata.namespace"] == [
        "You may not create plans in project team-a: choose a project where you are an editor."]
    response = api(people["outsider"]).post(reverse("api-plans"), manifest(), format="json")
    # The outsider sees neither team-a's providers nor its maps.
    assert "No provider named vcenter in project team-a that you may use" in \
        response.json()["spec.provider.source"][0]
    assert not Plan.objects.exists()


def test_list_and_read_only_what_the_caller_may_see(people, make_plan):
    plan = make_plan()
    assert [p["name"] for p in api(people["viewer"]).get(reverse("api-plans")).json()] == ["plan-1"]
    assert api(people["outsider"]).get(reverse("api-plans")).json() == []
    assert api(people["outsider"]).get(reverse("api-plan", args=[plan.pk])).status_code == 404
    record = api(people["viewer"]).get(reverse("api-plan", args=[plan.pk])).json()
    assert record["vmCount"] == 2 and record["status"] == "Ready" and record["lastMigration"] is None
    assert record["spec"]["map"] == {"network": {"name": "netmap", "namespace": "team-a"},
                                     "storage": {"name": "storagemap", "namespace": "team-a"}}
    assert record["actions"]["delete"] == {"allowed": False, "reason": "Your role does not allow delete."}
    assert api(people["viewer"]).get(reverse("api-plans"), {"status": "NotReady"}).json() == []


@pytest.mark.parametrize("method,route,data", [
    ("post", "api-plan-start", None), ("post", "api-plan-archive", None), ("delete", "api-plan", None),
    ("post", "api-plan-duplicate", {"name": "copy"}), ("put", "api-plan", "manifest"),
])
def test_a_viewer_gets_403_with_the_consoles_message(people, make_plan, method, route, data):
    plan = make_plan()
    client = api(people["viewer"])
    data = manifest() if data == "manifest" else data
    response = getattr(client, method)(reverse(route, args=[plan.pk]), data, format="json")
    assert response.status_code == 403
    verb = {"api-plan-start": "start", "api-plan-archive": "archive", "api-plan-duplicate": "duplicate"}.get(
        route, "delete" if method == "delete" else "edit")
    assert response.json() == {"detail": f"You may view plan plan-1 but not {verb} it."}
    plan.refresh_from_db()
    assert not plan.archived and Plan.objects.count() == 1 and not Migration.objects.exists()


def test_start_archive_delete_and_their_refusals(people, make_plan, inventory):
    plan = make_plan()
    client = api(people["editor"])
    response = client.post(reverse("api-plan-start", args=[plan.pk]))
    assert response.status_code == 201 and response.json()["status"] == "Pending" and response.json()["vmCount"] == 2
    response = client.post(reverse("api-plan-start", args=[plan.pk]))
    assert (response.status_code, response.json()) == (409, {"detail": "Plan plan-1 is already running (Pending)."})
    response = client.delete(reverse("api-plan", args=[plan.pk]))
    assert (response.status_code, response.json()) == (409, {"detail": "Plan plan-1 is running (Pending) and cannot "
                                                                        "be deleted: wait until it finishes or cancel "
                                                                        "it."})
    Migration.objects.filter(plan=plan).update(status=RunStatus.FAILED)
    response = client.post(reverse("api-plan-archive", args=[plan.pk]))
    assert response.status_code == 200 and response.json()["archived"] is True
    assert "Archiving cannot be undone." in response.json()["note"]
    response = client.post(reverse("api-plan-start", args=[plan.pk]))
    assert response.json() == {"detail": "Plan plan-1 is archived and cannot run again. Duplicate it to run the same "
                                         "migration."}
    assert client.delete(reverse("api-plan", args=[plan.pk])).status_code == 204
    assert not Plan.objects.exists()


def test_start_refuses_a_plan_that_is_not_ready(people, make_plan, inventory):
    plan = make_plan()
    inventory["network_map"].pairs.filter(source_id="network-1").delete()
    inventory["network_map"].save()
    response = api(people["editor"]).post(reverse("api-plan-start", args=[plan.pk]))
    assert response.status_code == 409
    assert response.json()["detail"] == (
        "Plan plan-1 is not ready: db-1: Network VM Network is not mapped: add it to the network map. "
        "web-1: Network VM Network is not mapped: add it to the network map.")


def test_duplicate(people, make_plan):
    plan = make_plan(archived=True)
    client = api(people["editor"])
    response = client.post(reverse("api-plan-duplicate", args=[plan.pk]), {}, format="json")
    assert response.json() == {"name": ["Send the new plan's name: {\"name\": \"…\"}."]}
    response = client.post(reverse("api-plan-duplicate", args=[plan.pk]), {"name": "plan-1"}, format="json")
    assert (response.status_code, response.json()) == (400, {"name": [
        "A plan named plan-1 already exists in project team-a: choose another name."]})
    response = client.post(reverse("api-plan-duplicate", args=[plan.pk]), {"name": "plan-2"}, format="json")
    assert response.status_code == 201
    assert response.json()["name"] == "plan-2" and response.json()["archived"] is False
    assert len(response.json()["vms"]) == 2


def test_edit_through_put_follows_the_edit_rule(people, make_plan):
    plan = make_plan("wave-1")
    client = api(people["editor"])
    body = manifest(description="Changed", vms=[{"id": "vm-1"}])
    response = client.put(reverse("api-plan", args=[plan.pk]), body, format="json")
    assert response.status_code == 200, response.json()
    plan.refresh_from_db()
    assert plan.description == "Changed" and list(plan.vms.values_list("vm_id", flat=True)) == ["vm-1"]
    body["metadata"]["namespace"] = "team-b"
    response = client.put(reverse("api-plan", args=[plan.pk]), body, format="json")
    assert response.json() == {"metadata.namespace": [
        "A plan stays in its project (team-a); duplicate it and create the copy there instead."]}
    ran(plan, RunStatus.SUCCEEDED)
    body["metadata"]["namespace"] = "team-a"
    response = client.put(reverse("api-plan", args=[plan.pk]), body, format="json")
    assert (response.status_code, response.json()["detail"]) == (409, (
        "Plan wave-1 has already migrated its VMs successfully and can no longer be edited. Duplicate it to migrate "
        "the same VMs again or elsewhere."))


def test_bulk(people, make_plan):
    a, b = make_plan("a"), make_plan("b")
    ran(b, RunStatus.RUNNING)
    response = api(people["editor"]).post(reverse("api-plans-bulk"), {"action": "delete", "ids": [a.pk, b.pk, 999]},
                                          format="json")
    assert response.json() == {"results": [
        {"id": a.pk, "name": "a", "done": True, "detail": "Deleted plan a."},
        {"id": b.pk, "name": "b", "done": False,
         "detail": "Plan b is running (Running) and cannot be deleted: wait until it finishes or cancel it."},
        {"id": 999, "done": False, "detail": "No such plan that you may see."}]}
    response = api(people["editor"]).post(reverse("api-plans-bulk"), {"action": "start", "ids": [b.pk]},
                                          format="json")
    assert response.json() == {"action": ["Set action to archive or delete."]}


def test_yaml_endpoint(people, make_plan):
    plan = make_plan()
    response = api(people["viewer"]).get(reverse("api-plan-yaml", args=[plan.pk]))
    assert response["Content-Type"].startswith("application/yaml")
    kinds = [d["kind"] for d in yaml.safe_load_all(response.content)]
    assert kinds == ["NetworkMap", "StorageMap", "Plan"]


def test_the_documented_paths_are_the_routes(client, people):
    """/api/openapi.yaml describes exactly the plan, hook and map routes, with their methods."""
    from django.urls import resolve

    from mappings.api import urls as map_urls
    from plans.api import hook_urls, urls

    client.force_login(people["viewer"])
    document = yaml.safe_load(client.get(reverse("openapi")).getvalue())
    routes = ({f"/api/plans/{p.pattern}" for p in urls.urlpatterns}
              | {f"/api/hooks/{p.pattern}" for p in hook_urls.urlpatterns}
              | {f"/api/{p.pattern}" for p in map_urls.urlpatterns})
    documented = {path: ops for path, ops in document["paths"].items()
                  if path.split("/")[2] in ("plans", "hooks", "networkmaps", "storagemaps")}
    assert {path.replace("{id}", "<int:pk>") for path in documented} == routes
    for path, operations in documented.items():
        view = resolve(path.replace("{id}", "1")).func.view_class
        assert {m for m in operations if m != "parameters"} == {m for m in ("get", "post", "put", "patch", "delete")
                                                                if hasattr(view, m)}, path


def test_cancel_through_the_api_with_the_consoles_rules(people, make_plan):
    plan = make_plan()
    url = reverse("api-plan-cancel", args=[plan.pk])
    assert api(people["editor"]).post(url, {"vms": ["vm-1"]}, format="json").json() == {
        "detail": "Plan plan-1 has not been started: there is nothing to cancel."}
    migration = actions.start(people["editor"], plan)
    assert api(people["editor"]).post(url, {"vms": "vm-1"}, format="json").status_code == 400
    assert api(people["viewer"]).post(url, {"vms": ["vm-1"]}, format="json").json() == {
        "detail": "You may view plan plan-1 but not cancel its VMs."}
    response = api(people["editor"]).post(url, {"vms": ["vm-1"]}, format="json")
    assert response.status_code == 200 and response.json()["canceled"] == ["web-1"]
    vms = {v["id"]: v["status"] for v in response.json()["migration"]["vms"]}
    assert vms == {"vm-1": "Canceled", "vm-2": "Pending"}
    assert migration.vms.get(vm_id="vm-1").status == RunStatus.CANCELED
    listed = api(people["viewer"]).get(reverse("api-plan-migrations", args=[plan.pk])).json()
    assert listed[0]["cancel"] == ["vm-1"] and len(listed[0]["vms"]) == 2


def test_cancel_through_the_api_spares_a_vm_that_already_succeeded(people, make_plan):
    plan = make_plan()
    migration = running_with_one_vm_done(plan)
    response = api(people["editor"]).post(reverse("api-plan-cancel", args=[plan.pk]), {"vms": ["vm-1", "vm-2"]},
                                          format="json")
    assert response.status_code == 200 and response.json()["canceled"] == ["db-1"]
    assert {v["id"]: v["status"] for v in response.json()["migration"]["vms"]} == {"vm-1": "Succeeded",
                                                                                    "vm-2": "Canceled"}
    assert migration.vms.get(vm_id="vm-1").status == RunStatus.SUCCEEDED


def test_cancel_of_a_migration_that_ended_says_so(people, make_plan):
    plan = make_plan()
    migration = ran(plan, RunStatus.FAILED)
    response = api(people["editor"]).post(reverse("api-plan-cancel", args=[plan.pk]), {"vms": ["vm-1"]},
                                          format="json")
    assert response.status_code == 409 and response.json() == {
        "detail": f"Migration #{migration.pk} of plan plan-1 has ended (Failed): there is nothing to cancel."}


def test_the_plan_list_says_how_each_plan_last_ran(people, make_plan):
    ran(make_plan("a"), RunStatus.FAILED)
    ran(make_plan("b"), RunStatus.SUCCEEDED)
    make_plan("c")
    listed = api(people["viewer"]).get(reverse("api-plans")).json()
    assert {p["name"]: p["lastMigration"] for p in listed} == {"a": "Failed", "b": "Succeeded", "c": None}

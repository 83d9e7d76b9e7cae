"""A plan's YAML is the Forklift v1beta1 manifests `oc apply -f` takes (guide §5.3): the guide's
field names, every field of the plan, and a Plan document the API turns back into the same plan."""

import base64

import pytest
import yaml
from django.urls import reverse
from rest_framework.test import APIClient

from plans.manifests import plan_yaml
from plans.models import Plan

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(make_plan, inventory):
    return make_plan(description="Wave 1", transfer_network="team-a/vlan-100", target_names={"vm-2": "database"},
                     skip_guest_conversion=True,
                     hooks={"vm-1": [("PostHook", inventory["hook"]), ("PreHook", inventory["hook"])]})


def documents(plan) -> dict:
    return {d["kind"]: d for d in yaml.safe_load_all(plan_yaml(plan))}


def test_the_yaml_uses_the_guides_manifests_and_field_names(plan):
    text = plan_yaml(plan)
    assert text.startswith("---\n")
    docs = documents(plan)
    assert list(docs) == ["NetworkMap", "StorageMap", "Hook", "Plan"]
    for doc in docs.values():
        assert doc["apiVersion"] == "forklift.konveyor.io/v1beta1"
        assert set(doc["metadata"]) == {"name", "namespace"}
    assert docs["NetworkMap"] == {
        "apiVersion": "forklift.konveyor.io/v1beta1", "kind": "NetworkMap",
        "metadata": {"name": "netmap", "namespace": "team-a"},
        "spec": {"map": [{"source": {"id": "network-2", "name": "Storage Net"},
                          "destination": {"name": "vlan-100", "namespace": "team-a", "type": "multus"}},
                         {"source": {"id": "network-1", "name": "VM Network"}, "destination": {"type": "pod"}}],
                 "provider": {"source": {"name": "vcenter", "namespace": "team-a"},
                              "destination": {"name": "host", "namespace": "team-a"}}}}
    assert docs["StorageMap"]["spec"]["map"] == [
        {"source": {"id": "datastore-1", "name": "datastore1"},
         "destination": {"storageClass": "standard", "accessMode": "ReadWriteOnce", "volumeMode": "Filesystem"}}]
    hook = docs["Hook"]
    assert hook["metadata"] == {"name": "prep", "namespace": "team-a"}
    assert hook["spec"]["image"] == "quay.io/konveyor/hook-runner:latest"
    assert base64.b64decode(hook["spec"]["playbook"]).decode() == "- hosts: localhost\n  tasks: []\n"
    assert hook["spec"]["deadline"] == 600
    spec = docs["Plan"]["spec"]
    assert docs["Plan"]["metadata"] == {"name": "plan-1", "namespace": "team-a"}
    assert spec == {
        "description": "Wave 1", "warm": False, "skipGuestConversion": True, "archived": False,
        "provider": {"source": {"name": "vcenter", "namespace": "team-a"},
                     "destination": {"name": "host", "namespace": "team-a"}},
        "map": {"network": {"name": "netmap", "namespace": "team-a"},
                "storage": {"name": "storagemap", "namespace": "team-a"}},
        "targetNamespace": "team-a",
        "transferNetwork": {"name": "vlan-100", "namespace": "team-a"},
        "vms": [{"id": "vm-2", "name": "db-1", "targetName": "database"},
                {"id": "vm-1", "name": "web-1", "hooks": [
                    {"hook": {"name": "prep", "namespace": "team-a"}, "step": "PreHook"},
                    {"hook": {"name": "prep", "namespace": "team-a"}, "step": "PostHook"}]}],
    }


def test_a_plan_without_maps_or_hooks_says_only_what_it_has(make_plan):
    bare = make_plan("bare", network_map=None, storage_map=None)
    docs = documents(bare)
    assert list(docs) == ["Plan"]
    assert docs["Plan"]["spec"]["map"] == {} and "transferNetwork" not in docs["Plan"]["spec"]


def test_the_plan_document_round_trips_through_the_api(plan, people):
    """Export, rename, send back: the new plan has every field of the first."""
    client = APIClient()
    client.force_authenticate(people["editor"])
    text = client.get(reverse("api-plan-yaml", args=[plan.pk])).content.decode()
    text = text.replace("name: plan-1\n", "name: plan-1-again\n")
    response = client.post(reverse("api-plans"), text, content_type="application/yaml")
    assert response.status_code == 201, response.json()
    copy = Plan.objects.get(name="plan-1-again")
    fields = ["namespace", "description", "source_provider", "destination_provider", "target_namespace", "warm",
              "skip_guest_conversion", "transfer_network", "network_map", "storage_map", "archived", "status", "status_reasons"]
    plan.refresh_from_db()
    copy.refresh_from_db()
    assert {f: getattr(copy, f) for f in fields} == {f: getattr(plan, f) for f in fields}

    def vms(p):
        return sorted((v.vm_id, v.name, v.target_name, sorted((h.step, h.hook_id) for h in v.hooks.all()))
                      for v in p.vms.all())

    assert vms(copy) == vms(plan)
    again = yaml.safe_load_all(client.get(reverse("api-plan-yaml", args=[copy.pk])).content)
    first = yaml.safe_load_all(text)
    assert [d for d in again if d["kind"] == "Plan"] == [d for d in first if d["kind"] == "Plan"]

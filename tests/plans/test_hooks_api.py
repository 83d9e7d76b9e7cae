"""/api/hooks/: Forklift Hook manifests in and out, so API-made plans can name their hooks."""

import base64

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from plans.models import Hook

pytestmark = pytest.mark.django_db
PLAYBOOK = "- name: Main\n  hosts: localhost\n  tasks: []\n"


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def hook(name="prep", namespace="team-a", **spec) -> dict:
    return {"apiVersion": "forklift.konveyor.io/v1beta1", "kind": "Hook",
            "metadata": {"name": name, "namespace": namespace}, "spec": spec}


def test_create_with_a_base64_playbook_as_forklift_writes_it(people):
    encoded = base64.b64encode(PLAYBOOK.encode()).decode()
    wrapped = "\n".join(encoded[i:i + 20] for i in range(0, len(encoded), 20))  # as the guide's example wraps it
    response = api(people["editor"]).post(reverse("api-hooks"), hook(playbook=wrapped, deadline=300), format="json")
    assert response.status_code == 201, response.json()
    saved = Hook.objects.get(name="prep")
    assert (saved.playbook, saved.deadline_seconds, saved.image) == (PLAYBOOK, 300, Hook.DEFAULT_IMAGE)
    assert response.json()["spec"] == {"image": Hook.DEFAULT_IMAGE, "playbook": encoded, "deadline": 300}


def test_a_plain_playbook_or_a_custom_image(people):
    client = api(people["editor"])
    assert client.post(reverse("api-hooks"), hook(playbook=PLAYBOOK), format="json").status_code == 201
    response = client.post(reverse("api-hooks"), hook("custom", image="registry.example.com/tools/drain:1"),
                           format="json")
    assert response.status_code == 201
    assert Hook.objects.get(name="custom").playbook == ""


@pytest.mark.parametrize("body,errors", [
    (hook(playbook="- hosts: [unclosed"), "The playbook is not valid YAML"),
    (hook(playbook="hosts: localhost"), "An Ansible playbook is a YAML list of plays (it starts with '- ')."),
    (hook(deadline=0), "spec.deadline is the seconds the hook may run: a whole number of at least 1."),
    (hook("Bad_Name"), "Bad_Name is not a valid name"),
    (hook(namespace="team-b"), "You may not create hooks in project team-b: choose a project where you are an "
                               "editor."),
])
def test_refusals_say_what_to_fix(people, body, errors):
    response = api(people["editor"]).post(reverse("api-hooks"), body, format="json")
    assert response.status_code == 400
    assert any(errors in message for messages in response.json().values() for message in messages)
    assert not Hook.objects.exists()


def test_a_hook_in_use_is_not_deleted_and_a_viewer_deletes_nothing(people, make_plan, inventory):
    make_plan(hooks={"vm-1": [("PreHook", inventory["hook"])]})
    url = reverse("api-hook", args=[inventory["hook"].pk])
    response = api(people["viewer"]).delete(url)
    assert (response.status_code, response.json()) == (403, {"detail": "You may view hook prep but not delete it."})
    response = api(people["editor"]).delete(url)
    assert (response.status_code, response.json()) == (409, {
        "detail": "Hook prep is used by plan-1; remove it from those plans first."})
    assert api(people["outsider"]).get(url).status_code == 404
    assert [h["metadata"]["name"] for h in api(people["viewer"]).get(reverse("api-hooks")).json()] == ["prep"]

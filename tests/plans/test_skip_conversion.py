"""The plan option skipGuestConversion (a raw copy, no virt-v2v): offered in the wizard where the
source's VMs are converted, said on the review and plan pages, kept by the API, manifests, editing
and duplicating; a no-op, and said to be one, for sources whose VMs are never converted."""

import pytest
from django.urls import reverse
from django.utils.html import escape

from mappings.models import NetworkMap, StorageMap
from plans import actions, conversion
from plans.models import Plan, WizardState
from providers.models import InventoryObject, Provider, VirtualMachine
from tests.plans.helpers import as_user
from tests.plans.test_api import api, manifest

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return response.content.decode()


def step(client, state, step_name, **fields):
    return client.post(reverse("plans:wizard_step", args=[state.pk, step_name]), fields)


def new_wizard(client, user, source, inventory):
    """A wizard past its general step, into team-a (a namespace the target already has)."""
    InventoryObject.objects.get_or_create(provider=inventory["target"], kind="folder", uid="ns-1", name="team-a",
                                          defaults={"digest": "x"})
    as_user(client, user)
    client.post(reverse("plans:wizard_new"), {"action": "refresh"})
    state = WizardState.objects.latest("pk")
    step(client, state, "general", name="wave-1", namespace="team-a", source=source.pk, target=inventory["target"].pk,
         target_namespace="team-a", transfer_network="", action="next")
    return state


def test_the_wizard_offers_a_raw_copy_and_the_pages_say_what_it_means(client, people, inventory):
    state = new_wizard(client, people["editor"], inventory["source"], inventory)
    page = text(client.get(reverse("plans:wizard_step", args=[state.pk, "type"])))
    assert 'data-testid="skip-guest-conversion"' in page and escape(conversion.SKIP_HELP) in page
    step(client, state, "vms", names="web-1", action="paste")
    step(client, state, "vms", action="next")
    step(client, state, "type", warm="0", skip_guest_conversion="1", action="next")
    review = text(client.get(reverse("plans:wizard_step", args=[state.pk, "review"])))
    assert escape(conversion.SKIPPED) in review
    step(client, state, "network", mode="existing", map=inventory["network_map"].pk, action="next")
    step(client, state, "storage", mode="existing", map=inventory["storage_map"].pk, action="next")
    finished = step(client, state, "review", action="finish")
    assert finished.status_code == 302, text(finished)
    plan = Plan.objects.get(name="wave-1")
    assert plan.skip_guest_conversion
    assert escape(conversion.SKIPPED) in text(client.get(reverse("plans:plan", args=[plan.pk])))
    record = api(people["editor"]).get(reverse("api-plan", args=[plan.pk])).json()
    assert record["spec"]["skipGuestConversion"] is True and record["skipGuestConversion"] is True


def test_a_converted_plan_says_so_and_unchecking_the_box_turns_the_option_off(client, people, make_plan, inventory):
    InventoryObject.objects.create(provider=inventory["target"], kind="folder", uid="ns-1", name="team-a", digest="x")
    plan = make_plan("wave-2", vms=["vm-1"], skip_guest_conversion=True)
    as_user(client, people["editor"])
    client.post(reverse("plans:wizard_edit", args=[plan.pk]), {"action": "refresh"})
    state = WizardState.objects.latest("pk")
    assert 'data-testid="skip-guest-conversion" checked' in text(
        client.get(reverse("plans:wizard_step", args=[state.pk, "type"])))
    step(client, state, "type", warm="0", action="next")
    step(client, state, "review", action="finish")
    plan.refresh_from_db()
    assert not plan.skip_guest_conversion
    assert escape(conversion.CONVERTED) in text(client.get(reverse("plans:plan", args=[plan.pk])))


def test_a_duplicate_keeps_the_choice(people, make_plan):
    plan = make_plan("wave-3", vms=["vm-1"], skip_guest_conversion=True)
    assert actions.duplicate(people["editor"], plan, "wave-3-copy").skip_guest_conversion


def test_for_a_source_that_is_never_converted_the_option_is_accepted_and_said_to_change_nothing(
        client, people, inventory):
    rhv = Provider.objects.create(namespace="team-a", name="rhv", type="ovirt", status="Ready",
                                  url="https://rhv.example.com/ovirt-engine/api")
    VirtualMachine.objects.create(provider=rhv, uid="rhv-1", name="app-1", digest="x", data={})
    for model in (NetworkMap, StorageMap):
        model.objects.create(namespace="team-a", name=f"rhv-{model.__name__}".lower(), source_provider=rhv,
                             destination_provider=inventory["target"])
    body = manifest(provider={"source": {"name": "rhv", "namespace": "team-a"},
                              "destination": {"name": "host", "namespace": "team-a"}},
                    map={"network": {"name": "rhv-networkmap"}, "storage": {"name": "rhv-storagemap"}}, vms=[{"id": "rhv-1"}], skipGuestConversion=True)
    answer = api(people["editor"]).post(reverse("api-plans"), body, format="json")
    assert answer.status_code == 201, answer.content
    plan = Plan.objects.get(name="wave-1")
    assert plan.skip_guest_conversion and answer.json()["spec"]["skipGuestConversion"] is True
    said = escape(conversion.not_needed(rhv))
    assert "Red Hat Virtualization VMs already run on virtio devices" in conversion.not_needed(rhv)
    as_user(client, people["editor"])
    assert said in text(client.get(reverse("plans:plan", args=[plan.pk])))
    state = new_wizard(client, people["editor"], rhv, inventory)
    page = text(client.get(reverse("plans:wizard_step", args=[state.pk, "type"])))
    assert said in page and 'name="skip_guest_conversion"' not in page


def test_the_api_wants_true_or_false(people, inventory):
    answer = api(people["editor"]).post(reverse("api-plans"), manifest(skipGuestConversion="yes"), format="json")
    assert answer.status_code == 400
    assert answer.json()["spec.skipGuestConversion"] == ["spec.skipGuestConversion must be true or false."]


def test_the_progress_shows_the_conversion_skipped_by_the_plan(client, people, make_plan):
    from plans.engine.pipeline import COLD
    from plans.models import Migration, MigrationVM, RunStatus

    plan = make_plan("wave-4", vms=["vm-1"], skip_guest_conversion=True)
    migration = Migration.objects.create(plan=plan, status=RunStatus.RUNNING)
    steps = [{"name": s.name, "title": s.title, "state": "Completed"} for s in COLD]
    convert = next(s for s in steps if s["name"] == "ConvertGuest")
    convert.update(state="Skipped", reason=conversion.SKIPPED_LOG)
    MigrationVM.objects.create(migration=migration, vm_id="vm-1", name="web-1", status=RunStatus.RUNNING, steps=steps)
    page = text(as_user(client, people["editor"]).get(reverse("plans:plan", args=[plan.pk])))
    assert f'title="{escape(conversion.SKIPPED_LOG)}" data-testid="step-declined">Convert the guest' in page

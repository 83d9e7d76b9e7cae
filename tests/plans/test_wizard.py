"""The plan wizard over a small inventory of our own (tests/plans/conftest.py): every step's
messages, choices kept across back/forward and reloads, the VM selection tools, new maps saved as
templates or for the plan only, hooks, and editing a plan through the same steps."""

import pytest
from django.urls import reverse

from mappings.models import NetworkMap, StorageMap
from plans.models import Hook, Plan, WizardState
from providers.models import InventoryObject, Provider, VirtualMachine
from tests.plans.helpers import as_user, ran

pytestmark = pytest.mark.django_db
PLAYBOOK = "- hosts: localhost\n  tasks:\n    - debug: msg=hi\n"


def text(response) -> str:
    return response.content.decode()


@pytest.fixture
def wizard(client, people, inventory):
    """An editor of team-a in a new wizard; `post(step, **fields)` posts a step."""
    as_user(client, people["editor"])
    response = client.get(reverse("plans:wizard_new"))
    assert response.status_code == 200 and 'data-testid="wizard-form"' in text(response)
    assert not WizardState.objects.exists()  # a GET saves nothing
    response = client.post(reverse("plans:wizard_new"), {"namespace": "team-a", "action": "refresh"})
    state = WizardState.objects.get()
    assert response.status_code == 200 and state.data["general"]["namespace"] == "team-a"

    class Wizard:
        def url(self, step):
            return reverse("plans:wizard_step", args=[state.pk, step])

        def get(self, step, **params):
            return client.get(self.url(step), params)

        def post(self, step, data=None, **fields):
            return client.post(self.url(step), {**(data or {}), **fields})

        @property
        def data(self):
            state.refresh_from_db()
            return state.data

        def general(self, **fields):
            values = {"name": "wave-1", "description": "first", "namespace": "team-a",
                      "source": inventory["source"].pk, "target": inventory["target"].pk,
                      "target_namespace": "team-a", "transfer_network": "", **fields}
            return self.post("general", values, action="next")

    return Wizard()


def test_the_general_step_says_what_is_missing_and_keeps_what_was_typed(wizard, make_plan):
    make_plan("taken")
    response = wizard.post("general", name="taken", target_namespace="Not_Valid", action="next")
    assert response.status_code == 400
    page = text(response)
    assert "A plan named taken already exists in project team-a: choose another name." in page
    assert "Choose the source provider." in page
    assert "Choose the target provider (an OpenShift Virtualization provider)." in page
    assert "Not_Valid" in page and 'value="taken"' in page
    assert wizard.data["general"]["name"] == "taken"  # kept for the next visit


def test_later_steps_stay_closed_until_the_earlier_ones_are_complete(wizard):
    page = text(wizard.get("general"))
    assert 'data-testid="nav-vms"' in page and 'title="Complete General first."' in page
    # Jumping ahead through the navigation stops at the first step that needs something, with its message.
    assert wizard.post("general", name="wave-1", goto="review").status_code == 400
    wizard.general()
    response = wizard.post("general", goto="review")
    assert response.status_code == 302 and response.url == wizard.url("vms") + "?check=1"
    assert "Select at least one VM to migrate." in text(wizard.get("vms", check="1"))
    assert "Select at least one VM to migrate." not in text(wizard.get("vms"))


def test_back_and_forward_keep_every_choice(wizard, inventory):
    assert wizard.general().url == wizard.url("vms")
    wizard.post("vms", shown=["vm-1", "vm-2"], vm=["vm-1"], action="update")
    assert wizard.post("vms", shown=["vm-1", "vm-2"], vm=["vm-1"], action="next").url == wizard.url("network")
    # Back to the VMs, then to General: everything is still there, and forward again works.
    assert wizard.post("network", mode="new", action="back").url == wizard.url("vms")
    page = text(wizard.get("vms"))
    assert 'data-testid="select-web-1" checked' in page and "1 selected" in page
    assert wizard.post("vms", action="back").url == wizard.url("general")
    page = text(wizard.get("general"))
    assert 'value="wave-1"' in page and ">first</textarea>" in page
    assert wizard.post("general", goto="network").url == wizard.url("network")


def test_the_vm_step_filters_selects_what_matches_and_takes_a_pasted_list(wizard, inventory):
    wizard.general()
    page = text(wizard.post("vms", filter_name="WEB", filter_power_state="", filter_concern="",
                            filter_location="", action="filter"))
    assert 'data-vm="web-1"' in page and 'data-vm="db-1"' not in page and "1 match the filter" in page
    wizard.post("vms", filter_name="WEB", action="select_matching")
    assert wizard.data["vms"]["ids"] == ["vm-1"]  # only what matches
    page = text(wizard.post("vms", names="db-1\nnowhere, web-1", action="paste"))
    assert wizard.data["vms"]["ids"] == ["vm-1", "vm-2"]
    assert "Not in the inventory of vcenter: nowhere." in page
    wizard.post("vms", action="clear")
    assert wizard.data["vms"]["ids"] == []
    assert "Select at least one VM to migrate." in text(wizard.post("vms", action="next"))


def test_vms_with_critical_concerns_need_a_confirmation(wizard, inventory):
    VirtualMachine.objects.filter(uid="vm-2").update(
        concern_level=VirtualMachine.Concern.CRITICAL, concern_count=1,
        concerns=[{"category": "Critical", "label": "RDM disk", "assessment": "Raw device mappings are not migrated."}])
    wizard.general()
    wizard.post("vms", names="db-1", action="paste")
    response = wizard.post("vms", action="next")
    assert response.status_code == 400
    assert ("1 selected VM has Critical concerns (db-1): confirm that you want to include them, or deselect "
            "them.") in text(response)
    assert wizard.post("vms", critical_ok=["0", "1"], action="next").url == wizard.url("network")


def test_a_new_map_is_prefilled_with_what_the_vms_use_and_flags_the_unmapped(wizard, inventory):
    wizard.general()
    wizard.post("vms", names="db-1", action="paste")
    wizard.post("vms", action="next")
    assert 'data-testid="mode-existing" checked' in text(wizard.get("network"))  # netmap fits these providers
    page = text(wizard.post("network", mode="new", action="refresh"))
    # db-1 uses VM Network and Storage Net; no NAD is named like them, so both are left for the user.
    assert page.count('data-testid="pair-row"') == 2
    assert "Used by the selected VMs but not mapped: VM Network, Storage Net" in page
    response = wizard.post("network", {"pair-0-source": "network-1", "pair-0-destination": "pod",
                                       "pair-1-source": "network-2", "pair-1-destination": ""},
                           mode="new", rows_shown="1", action="next")
    assert "Fix the rows marked below: Row 2: Choose a target: the pod network or a NetworkAttachmentDefinition." \
        in text(response)
    response = wizard.post("network", {"pair-0-source": "network-1", "pair-0-destination": "pod",
                                       "pair-1-source": "network-2", "pair-1-destination": "team-a/vlan-100"},
                           mode="new", rows_shown="1", template="1", template_name="netmap", action="next")
    assert "A network map named netmap already exists in project team-a: choose another name." in text(response)


def test_storage_defaults_and_an_existing_map(wizard, inventory):
    wizard.general()
    wizard.post("vms", names="web-1", action="paste")
    wizard.post("vms", action="next")
    assert wizard.post("network", mode="existing", map=inventory["network_map"].pk, action="next").url == \
        wizard.url("storage")
    page = text(wizard.get("storage"))
    assert 'data-testid="mode-existing" checked' in page  # a map for these providers exists
    assert 'data-testid="chosen-pairs"' in page and "standard (ReadWriteOnce, Filesystem)" in page


def test_warm_is_offered_only_where_the_source_supports_it(wizard, inventory):
    ova = Provider.objects.create(namespace="team-a", name="ova", type="ova", status="Ready", url="nfs:/ova")
    VirtualMachine.objects.create(provider=ova, uid="ova-1", name="appliance", digest="x", data={})
    wizard.general(source=ova.pk)
    page = text(wizard.get("type"))
    reason = ("Warm migration copies disks while the VMs run; Open Virtual Appliance (OVA) providers support cold "
              "migration only (warm is for VMware vSphere and Red Hat Virtualization).")
    assert 'data-testid="type-warm" disabled' in page and reason in page
    assert reason in text(wizard.post("type", warm="1", action="next"))


def test_hook_messages(wizard):
    wizard.general()
    response = wizard.post("hooks", {"PreHook-kind": "playbook", "PreHook-playbook": "hosts: [",
                                     "PostHook-kind": "image", "PostHook-image": "hook runner"}, action="next")
    page = text(response)
    assert "The playbook is not valid YAML" in page
    assert "Enter the image as &lt;registry&gt;/&lt;image&gt;:&lt;tag&gt;, reachable from the target cluster." in page
    page = text(wizard.post("hooks", {"PreHook-kind": "playbook", "PreHook-playbook": "a: 1"}, action="next"))
    assert "An Ansible playbook is a YAML list of plays (it starts with &#x27;- &#x27;)." in page


def complete(wizard, **network):
    wizard.general()
    wizard.post("vms", names="web-1\ndb-1", action="paste")
    wizard.post("vms", action="next")
    wizard.post("network", {"pair-0-source": "network-1", "pair-0-destination": "pod",
                            "pair-1-source": "network-2", "pair-1-destination": "team-a/vlan-100"},
                mode="new", rows_shown="1", action="next", **network)
    wizard.post("storage", {"pair-0-source": "datastore-1", "pair-0-storage_class": "standard"},
                mode="new", rows_shown="1", template="1", template_name="vsphere-disks", action="next")
    wizard.post("type", warm="0", action="next")
    wizard.post("hooks", {"PreHook-kind": "playbook", "PreHook-playbook": PLAYBOOK, "PostHook-kind": "none"},
                action="next")


def test_review_shows_checks_and_names_and_creates_everything(wizard, inventory):
    InventoryObject.objects.create(provider=inventory["target"], kind="folder", uid="ns-1", name="team-a", digest="x")
    complete(wizard)
    page = text(wizard.get("review"))
    assert 'data-vm="web-1"' in page and 'placeholder="db-1"' in page
    response = wizard.post("review", {"target-vm-1": "Web_1"}, action="finish")
    assert "&#x27;Web_1&#x27; is not a valid VM name" in text(response)
    assert not Plan.objects.filter(name="wave-1").exists()
    response = wizard.post("review", {"target-vm-1": "web-one"}, action="finish")
    plan = Plan.objects.get(name="wave-1")
    assert response.url == reverse("plans:plan", args=[plan.pk])
    assert plan.description == "first" and not plan.warm and plan.target_namespace == "team-a"
    assert {(v.name, v.target_name) for v in plan.vms.all()} == {("web-1", "web-one"), ("db-1", "")}
    # The network map was made for this plan (named after it), the storage map saved as a template.
    assert plan.network_map.name == "wave-1-network"
    assert {(p.source_id, p.destination) for p in plan.network_map.pairs.all()} == {
        ("network-1", "pod"), ("network-2", "team-a/vlan-100")}
    assert plan.storage_map.name == "vsphere-disks"
    pair = plan.storage_map.pairs.get()
    assert (pair.storage_class, pair.access_mode, pair.volume_mode) != ("standard", "", "")
    hook = Hook.objects.get(name="wave-1-prehook")
    assert hook.playbook == PLAYBOOK
    assert {(h.plan_vm.name, h.step) for h in hook.uses.all()} == {("web-1", "PreHook"), ("db-1", "PreHook")}
    assert plan.status == Plan.Status.READY, plan.status_reasons
    assert not WizardState.objects.exists()


def test_nothing_is_left_behind_when_creating_fails(wizard, inventory, monkeypatch):
    from plans.wizard import finish

    complete(wizard, template="1", template_name="team-nets")

    def refuse(choices):
        raise finish.FinishFailed("Could not create namespace team-a in the cluster of host: forbidden.")

    monkeypatch.setattr(finish, "_ensure_target_namespace", refuse)
    response = wizard.post("review", action="finish")
    assert "Could not create namespace team-a in the cluster of host: forbidden." in text(response)
    assert not Plan.objects.filter(name="wave-1").exists()
    assert not NetworkMap.objects.filter(name="team-nets").exists()
    assert not StorageMap.objects.filter(name="vsphere-disks").exists()
    assert not Hook.objects.filter(name__startswith="wave-1").exists()


def test_editing_goes_through_the_same_steps(client, people, make_plan, inventory):
    InventoryObject.objects.create(provider=inventory["target"], kind="folder", uid="ns-1", name="team-a", digest="x")
    plan = make_plan("wave-2", vms=["vm-1"], hooks={"vm-1": [("PostHook", inventory["hook"])]})
    as_user(client, people["editor"])
    response = client.get(reverse("plans:wizard_edit", args=[plan.pk]))
    assert 'value="wave-2"' in text(response) and not WizardState.objects.exists()
    response = client.post(reverse("plans:wizard_edit", args=[plan.pk]), {"goto": "vms"})
    state = WizardState.objects.get(plan=plan)
    assert state.data["hooks"]["PostHook"] == {"kind": "existing", "hook": inventory["hook"].pk}
    url = lambda step: reverse("plans:wizard_step", args=[state.pk, step])  # noqa: E731
    assert response.url == url("vms")
    client.post(url("vms"), {"names": "db-1", "action": "paste"})
    response = client.post(url("review"), {"action": "finish"})
    assert response.url == reverse("plans:plan", args=[plan.pk])
    plan.refresh_from_db()
    assert sorted(v.name for v in plan.vms.all()) == ["db-1", "web-1"]
    assert plan.network_map == inventory["network_map"]
    assert {(v.name, h.step, h.hook_id) for v in plan.vms.all() for h in v.hooks.all()} == {
        ("web-1", "PostHook", inventory["hook"].pk), ("db-1", "PostHook", inventory["hook"].pk)}


def test_editing_is_refused_after_success_and_for_viewers(client, people, make_plan):
    from plans.models import RunStatus

    plan = make_plan("done")
    ran(plan, RunStatus.SUCCEEDED)
    as_user(client, people["editor"])
    response = client.get(reverse("plans:wizard_edit", args=[plan.pk]), follow=True)
    assert "has already migrated its VMs successfully and can no longer be edited" in text(response)
    assert not WizardState.objects.exists()
    other = make_plan("other")
    as_user(client, people["viewer"])
    client.get(reverse("plans:wizard_edit", args=[other.pk]))
    assert not WizardState.objects.exists()
    assert client.get(reverse("plans:wizard_new")).status_code == 403


def test_a_wizard_belongs_to_its_user(client, people, wizard):
    state = WizardState.objects.get()
    as_user(client, people["nsadmin"])
    assert client.get(reverse("plans:wizard_step", args=[state.pk, "general"])).status_code == 404


def test_looking_at_a_step_changes_nothing(wizard):
    """Only a POST keeps choices: a GET shows the suggested map rows without saving them."""
    wizard.general()
    wizard.post("vms", names="web-1", action="paste")
    before = wizard.data
    page = text(wizard.get("network"))
    assert 'data-testid="mode-existing" checked' in page
    assert wizard.data == before

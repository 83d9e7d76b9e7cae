"""The wizard and POST /api/plans/ go through one plan writer: the same mistake gets the same
message both ways. Each case makes one mistake in an otherwise valid plan, sends it through the
REST API (the message at its manifest path) and through the wizard (the message on the step that
holds the field), and compares."""

import pytest
from django.urls import reverse
from django.utils.html import escape

from mappings.models import NetworkMap
from plans.models import Plan, WizardState
from providers.models import Provider, VirtualMachine
from tests.plans.helpers import as_user
from tests.plans.test_api import api, manifest

pytestmark = pytest.mark.django_db


class Wizard:
    def __init__(self, client, inventory):
        self.client, self.inventory = client, inventory
        client.post(reverse("plans:wizard_new"), {"action": "refresh"})
        self.state = WizardState.objects.latest("pk")

    def post(self, step, data=None, **fields):
        return self.client.post(reverse("plans:wizard_step", args=[self.state.pk, step]), {**(data or {}), **fields})

    def general(self, **fields):
        values = {"name": "wave-1", "namespace": "team-a", "source": self.inventory["source"].pk,
                  "target": self.inventory["target"].pk, "target_namespace": "team-a", "transfer_network": "",
                  **fields}
        return self.post("general", values, action="next")

    def with_vms(self, **general):
        self.general(**general)
        self.post("vms", names="web-1\ndb-1", action="paste")
        return self.post("vms", action="next")


def other_providers_map(inventory):
    other = Provider.objects.create(namespace="team-a", name="rhv", type="ovirt", status="Ready")
    return NetworkMap.objects.create(namespace="team-a", name="rhv-nets", source_provider=other,
                                     destination_provider=inventory["target"])


def team_x_objects(people, inventory):
    """A network map and a hook in team-x, where the editor of team-a is an editor too."""
    from plans.models import Hook
    from tests.factories import grant

    grant(people["editor"], "editor", "team-x")
    network_map = NetworkMap.objects.create(namespace="team-x", name="x-nets", source_provider=inventory["source"],
                                            destination_provider=inventory["target"])
    return {"x_nets": network_map, "x_hook": Hook.objects.create(namespace="team-x", name="x-prep",
                                                                 playbook="- hosts: localhost\n  tasks: []\n")}


def cold_only_source(inventory):
    ova = Provider.objects.create(namespace="team-a", name="ova", type="ova", status="Ready", url="nfs:/ova")
    VirtualMachine.objects.create(provider=ova, uid="vm-1", name="web-1", digest="x", data={})
    return ova


# (what is wrong, how the API gets it, where the API answers, how the wizard gets it)
CASES = [
    ("a taken name",
     lambda body, ctx: body["metadata"].update(name="taken"), "metadata.name",
     lambda w, ctx: w.general(name="taken")),
    ("an invalid name",
     lambda body, ctx: body["metadata"].update(name="Wave_1"), "metadata.name",
     lambda w, ctx: w.general(name="Wave_1")),
    ("no name",
     lambda body, ctx: body["metadata"].pop("name"), "metadata.name",
     lambda w, ctx: w.general(name="")),
    ("a project where the user is a viewer",
     lambda body, ctx: body["metadata"].update(namespace="team-v"), "metadata.namespace",
     lambda w, ctx: w.general(namespace="team-v")),
    ("no target namespace",
     lambda body, ctx: body["spec"].pop("targetNamespace"), "spec.targetNamespace",
     lambda w, ctx: w.general(target_namespace="")),
    ("a destination that cannot receive VMs",
     lambda body, ctx: body["spec"]["provider"].update(destination={"name": "vcenter", "namespace": "team-a"}),
     "spec.provider.destination",
     lambda w, ctx: w.general(target=ctx["source"].pk)),
    ("a transfer network the target does not have",
     lambda body, ctx: body["spec"].update(transferNetwork={"name": "missing", "namespace": "team-a"}),
     "spec.transferNetwork",
     lambda w, ctx: w.general(transfer_network="team-a/missing")),
    ("warm from a cold-only source",
     lambda body, ctx: (body["spec"]["provider"].update(source={"name": "ova", "namespace": "team-a"}),
                        body["spec"].update(warm=True, vms=[{"id": "vm-1"}], map={})),
     "spec.warm",
     lambda w, ctx: (w.general(source=ctx["ova"].pk), w.post("type", warm="1", action="next"))[1]),
    ("no VMs",
     lambda body, ctx: body["spec"].update(vms=[]), "spec.vms",
     lambda w, ctx: (w.general(), w.post("vms", action="next"))[1]),
    ("an invalid target name",
     lambda body, ctx: body["spec"].update(vms=[{"id": "vm-1", "targetName": "Web_1"}]), "spec.vms[0].targetName",
     lambda w, ctx: (w.with_vms(), w.post("review", {"target-vm-1": "Web_1"}, action="finish"))[1]),
    ("a network map of another project",
     lambda body, ctx: body["spec"]["map"].update(network={"name": "x-nets", "namespace": "team-x"}),
     "spec.map.network",
     lambda w, ctx: (w.with_vms(), w.post("network", mode="existing", map=ctx["x_nets"].pk, action="next"))[1]),
    ("a hook of another project",
     lambda body, ctx: body["spec"]["vms"][0].update(hooks=[{"hook": {"name": "x-prep", "namespace": "team-x"},
                                                            "step": "PreHook"}]),
     "spec.vms[0].hooks",
     lambda w, ctx: (w.with_vms(), w.post("hooks", {"PreHook-kind": "existing", "PreHook-hook": ctx["x_hook"].pk,
                                                    "PostHook-kind": "none"}, action="next"))[1]),
    ("a network map for other providers",
     lambda body, ctx: body["spec"]["map"].update(network={"name": "rhv-nets", "namespace": "team-a"}),
     "spec.map.network",
     lambda w, ctx: (w.with_vms(), w.post("network", mode="existing", map=ctx["rhv_nets"].pk, action="next"))[1]),
]

# Target namespaces the user may not migrate into (plans.tenancy), each said the same both ways.
WRONG_TARGET_NAMESPACES = {"an invalid target namespace": "Not_Valid", "a reserved target namespace": "kube-system",
                           "the operator's namespace as the target": "openshift-mtv",
                           "a target namespace where the user is a viewer": "team-v",
                           "a target namespace nobody gave the user": "team-a-new"}
CASES += [(what, lambda body, ctx, ns=ns: body["spec"].update(targetNamespace=ns), "spec.targetNamespace",
           lambda w, ctx, ns=ns: w.general(target_namespace=ns)) for what, ns in WRONG_TARGET_NAMESPACES.items()]


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_the_same_mistake_gets_the_same_message_both_ways(client, people, inventory, make_plan, case):
    _, spoil, path, in_wizard = case
    from tests.factories import grant

    make_plan("taken")
    grant(people["editor"], "viewer", "team-v")
    ctx = {**inventory, "ova": cold_only_source(inventory), "rhv_nets": other_providers_map(inventory)}
    ctx.update(team_x_objects(people, inventory))
    body = manifest()
    body["spec"]["vms"][0].pop("hooks")
    spoil(body, ctx)
    answer = api(people["editor"]).post(reverse("api-plans"), body, format="json")
    assert answer.status_code == 400, answer.content
    [message] = answer.json()[path]
    as_user(client, people["editor"])
    page = in_wizard(Wizard(client, inventory), ctx).content.decode()
    assert escape(message) in page
    assert not Plan.objects.filter(name="wave-1").exists()


def test_the_same_choice_gives_the_same_plan_both_ways(client, people, inventory):
    """skipGuestConversion through the API and the type step's box through the wizard: one writer,
    the same saved plan and the same exported spec."""
    from plans.manifests import plan_manifest
    from providers.models import InventoryObject

    InventoryObject.objects.create(provider=inventory["target"], kind="folder", uid="ns-1", name="team-a", digest="x")
    body = manifest(skipGuestConversion=True, vms=[{"id": "vm-1"}, {"id": "vm-2"}])
    body["metadata"]["name"] = "by-api"
    assert api(people["editor"]).post(reverse("api-plans"), body, format="json").status_code == 201
    as_user(client, people["editor"])
    wizard = Wizard(client, inventory)
    wizard.with_vms(name="by-wizard")
    wizard.post("network", mode="existing", map=inventory["network_map"].pk, action="next")
    wizard.post("storage", mode="existing", map=inventory["storage_map"].pk, action="next")
    wizard.post("type", warm="0", skip_guest_conversion="1", action="next")
    assert wizard.post("review", action="finish").status_code == 302
    specs = [plan_manifest(Plan.objects.get(name=name))["spec"] for name in ("by-api", "by-wizard")]
    for spec in specs:
        spec.pop("description")
    assert specs[0] == specs[1] and specs[0]["skipGuestConversion"] is True

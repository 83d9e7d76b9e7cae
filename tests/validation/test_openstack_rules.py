"""The default OpenStack rules on the lab's simulated cloud: each rule names the lab servers built to
trip it, and through both engines (OPA and regopy) exactly the rules meant for a server fire on it.

The rules' own unit tests (`opa test providers/validation/policies/openstack`) cover the edge cases
(missing and null fields); here the inputs are the records the OpenStack adapter builds from the lab
(lab/openstack/README.md): the first project's everyday servers and the validation project's servers
with flavor extra specs, image properties on their boot volumes and an SR-IOV port.
"""

import re

import pytest

from providers.models import VirtualMachine
from providers.validation.engines import OpaEngine, RegopyEngine
from providers.validation.rules import default_modules, modules
from tests.providers.helpers import load
from tests.providers.test_openstack import lab_credentials, make_provider
from tests.validation.conftest import concerns_by_vm, labels

pytestmark = [pytest.mark.lab, pytest.mark.django_db]

OS_UNKNOWN = "Guest OS unknown"
# label → (category, the lab roles whose server trips it)
RULES = {
    "Volume not available": ("Critical", ["volume_error"]),
    "VM status does not allow migration": ("Critical", ["error"]),
    "VM not backed only by Cinder volumes": ("Critical", ["image_booted"]),
    "BIOS boot menu enabled": ("Warning", ["tuned"]),
    "CPU shares set": ("Warning", ["tuned"]),
    "Disk bus not supported": ("Warning", ["tuned"]),
    "Floating IP": ("Warning", ["good"]),
    "Host devices requested": ("Warning", ["tuned"]),
    "VM name not valid in Kubernetes": ("Warning", ["invalid_name"]),
    "NUMA topology": ("Warning", ["tuned"]),
    "UEFI secure boot": ("Warning", ["secure_boot"]),
    "Multi-attach volume": ("Warning", ["multiattach"]),
    "VIF model not supported": ("Warning", ["tuned"]),
    # the cirros image of the first project's servers names no OS; the validation project's images do
    OS_UNKNOWN: ("Warning", ["good", "image_booted", "shutoff", "error", "volume_error", "multiattach",
                             "two_disks_two_nics", "invalid_name"]),
    "Watchdog device": ("Warning", ["tuned"]),
    "SR-IOV or direct port": ("Warning", ["tuned"]),
}
CLEAN = "clean"  # vm-clean: ACTIVE, one virtio volume, one normal virtio port, fedora image properties
ROLES = ["good", "image_booted", "shutoff", "error", "volume_error", "multiattach", "two_disks_two_nics",
         "invalid_name", "clean", "tuned", "secure_boot"]
# Every concern of every test server (inverted from RULES): no rule may fire where it was not meant to.
EXPECTED = {role: {label for label, (_, roles) in RULES.items() if role in roles} for role in ROLES}

_validated: dict[str, dict] = {}  # engine → {VM name: concerns}, computed once per engine


def providers(lab):
    """The first project's provider, and one scoped to the validation project, with their inventories."""
    validation = lab_credentials(lab, projectName=lab["validation_project"]["name"])
    made = [make_provider(lab), make_provider(lab, validation, name="osp-validation")]
    for provider in made:
        load(provider)
    return made


def validate(loaded, engine) -> dict[str, list[dict]]:
    found = {}
    for provider in loaded:
        found.update(concerns_by_vm(provider, engine))
    return found


@pytest.fixture
def lab_concerns(engine, openstack_lab):
    """The concerns of every lab server through this engine (the inventories loaded once per engine),
    with the concern levels under the key None."""
    key = type(engine).__name__
    if key not in _validated:
        concerns = validate(providers(openstack_lab), engine)
        levels = dict(VirtualMachine.objects.values_list("name", "concern_level"))
        _validated[key] = {**concerns, None: levels}
    return _validated[key]


def vm_name(lab, role):
    return lab["test_vms"][role]["name"]


def default_labels() -> set[str]:
    sources = default_modules("openstack").values()
    return {label for source in sources for label in re.findall(r'"label":\s*"([^"]+)"', source)}


def test_every_default_rule_has_a_lab_vm_and_every_test_vm_its_concerns(openstack_lab):
    assert default_labels() == set(RULES)
    assert set(EXPECTED) == set(openstack_lab["test_vms"]) - {"other_project"}
    assert EXPECTED[CLEAN] == set()
    assert all(roles for _, roles in RULES.values())


@pytest.mark.parametrize("label", list(RULES))
def test_rule_fires_on_its_lab_vm_and_not_on_a_clean_one(openstack_lab, lab_concerns, label):
    category, roles = RULES[label]
    for role in roles:
        found = [c for c in lab_concerns[vm_name(openstack_lab, role)] if c["label"] == label]
        assert [c["category"] for c in found] == [category], (role, lab_concerns[vm_name(openstack_lab, role)])
        assert len(found[0]["assessment"]) > 80  # says what differs after migration or what to do
    assert label not in labels(lab_concerns[vm_name(openstack_lab, CLEAN)])


@pytest.mark.parametrize("role", ROLES)
def test_each_test_vm_has_exactly_its_concerns(openstack_lab, lab_concerns, role):
    assert labels(lab_concerns[vm_name(openstack_lab, role)]) == EXPECTED[role]


def test_critical_concerns_make_the_vm_critical(openstack_lab, lab_concerns):
    level = lab_concerns[None]
    for role in ("volume_error", "error", "image_booted"):
        assert level[vm_name(openstack_lab, role)] == VirtualMachine.Concern.CRITICAL, role
    assert level[vm_name(openstack_lab, CLEAN)] == 0


def test_both_engines_give_the_same_concerns(openstack_lab, opa_url):
    loaded = providers(openstack_lab)
    assert validate(loaded, RegopyEngine()) == validate(loaded, OpaEngine(opa_url))


def test_records_lacking_fields_raise_nothing_but_an_unknown_os(engine):
    """What an engine makes of records without the fields the rules read: no error, and no concern but
    the guest OS being unknown (which is what a record without osType and osDistro says)."""
    engine.load("openstack", modules("openstack"))
    fields = ["disks", "flavor", "image", "localDisks", "nics", "status", "volumes", "name", "floatingIPs"]
    known = {"osDistro": "rhel"}
    records = [known, {**known, **{field: None for field in fields}},
               {**known, "flavor": {"extraSpecs": None}, "image": {"properties": None}, "disks": [{}], "nics": [{}]},
               {}]
    results = engine.concerns("openstack", records)
    assert results[:3] == [[], [], []]
    assert labels(results[3]) == {OS_UNKNOWN}


def test_the_records_carry_the_traits_the_rules_read(openstack_lab):
    """The adapter's fields for the validation project's servers, as the rules read them (input.<field>)."""
    _, provider = providers(openstack_lab)
    data = {role: VirtualMachine.objects.get(provider=provider, uid=openstack_lab["test_vms"][role]["id"]).data
            for role in ("clean", "tuned", "secure_boot")}
    assert set(data) == {vm.name.removeprefix("vm-").replace("-", "_")
                         for vm in VirtualMachine.objects.filter(provider=provider)}, "only the validation servers"
    tuned = data["tuned"]
    assert tuned["flavor"]["extraSpecs"]["pci_passthrough:alias"] == "t4-gpu:1"
    assert tuned["image"]["properties"]["hw_boot_menu"] == "true"
    assert [d["bus"] for d in tuned["disks"]] == ["ide"]
    assert [(n["model"], n["vnicType"]) for n in tuned["nics"]] == [("vmxnet3", "normal"), ("vmxnet3", "direct")]
    secure = data["secure_boot"]
    assert (secure["firmware"], secure["secureBoot"], secure["osType"]) == ("efi", True, "windows")
    assert (data["clean"]["osDistro"], data["clean"]["floatingIPs"]) == ("fedora", [])

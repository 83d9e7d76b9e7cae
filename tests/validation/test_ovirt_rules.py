"""The default oVirt rules on the lab's simulated engine: each rule names the lab VMs built to trip
it, and through both engines (OPA and regopy) exactly the rules meant for a VM fire on it.

The rules' own unit tests (`opa test providers/validation/policies/ovirt`) cover the edge cases
(missing and null fields); here the inputs are the workloads the oVirt adapter builds from the lab
(lab/ovirt/README.md, "Test VMs"): the VM with its disks, vNIC profiles and cluster expanded.
"""

import re

import pytest

from providers.models import VirtualMachine
from providers.validation.engines import OpaEngine, RegopyEngine
from providers.validation.rules import default_modules, modules
from tests.providers.helpers import load
from tests.providers.test_ovirt import make_provider
from tests.validation.conftest import concerns_by_vm, labels

pytestmark = [pytest.mark.lab, pytest.mark.django_db]

NETWORK_FILTER = "vNIC network filter"
HA_RESERVATION = "Cluster has HA reservation"
KSM = "Cluster uses KSM"
NUMA = "NUMA pinning"
# label → (category, the lab roles whose VM trips it)
RULES = {
    "Disk locked or illegal": ("Critical", ["illegal_disk", "locked_disk"]),
    "Disk on unsupported storage": ("Critical", ["unsupported_storage"]),
    "VM has illegal images": ("Critical", ["illegal_disk"]),
    "VM status does not allow migration": ("Critical", ["suspended"]),
    "BIOS boot menu enabled": ("Warning", ["tuned"]),
    "vCPUs pinned to host CPUs": ("Warning", ["tuned"]),
    "CPU pinning policy": ("Warning", ["high_performance"]),
    "CPU shares set": ("Warning", ["tuned"]),
    "VM custom properties": ("Warning", ["tuned"]),
    "Disk interface not supported": ("Warning", ["legacy_devices"]),
    "VM configured as highly available": ("Warning", ["tuned"]),
    HA_RESERVATION: ("Warning", ["tuned"]),
    "Host devices attached": ("Warning", ["high_performance"]),
    KSM: ("Warning", ["tuned"]),
    "VM name not valid in Kubernetes": ("Warning", ["invalid_name"]),
    "vNIC profile custom properties": ("Warning", ["legacy_devices"]),
    "NIC interface not supported": ("Warning", ["legacy_devices"]),
    NETWORK_FILTER: ("Warning", ["running", "down", "two_disks_two_nics", "secure_boot", "illegal_disk",
                                 "invalid_name", "tuned", "high_performance", "legacy_devices"]),
    "NIC with PCI passthrough": ("Warning", ["tuned"]),
    "Unplugged NIC": ("Warning", ["legacy_devices"]),
    "Port mirroring": ("Warning", ["tuned"]),
    "vNIC QoS": ("Warning", ["legacy_devices"]),
    NUMA: ("Warning", ["high_performance"]),
    "Snapshot with memory state": ("Warning", ["legacy_devices"]),
    "VM pinned to hosts": ("Warning", ["tuned", "high_performance"]),
    "SCSI reservation": ("Warning", ["tuned"]),
    "UEFI secure boot": ("Warning", ["secure_boot"]),
    "Shared disk": ("Warning", ["shared_disk", "shared_disk_peer"]),
    "USB enabled": ("Warning", ["tuned"]),
    "Watchdog device": ("Warning", ["tuned"]),
    "Direct LUN disk": ("Warning", ["lun_disk"]),
    "Memory ballooning enabled": ("Information", ["tuned"]),
    "SPICE display": ("Information", ["tuned"]),
    "Several I/O threads": ("Information", ["tuned"]),
    "Storage error resume behaviour": ("Information", ["tuned"]),
}
CLEAN = "clean"  # mtv-clean: one virtio-scsi image disk, one virtio NIC on a profile without a filter
ROLES = ["running", "down", "two_disks_two_nics", "secure_boot", "illegal_disk", "locked_disk", "shared_disk",
         "shared_disk_peer", "lun_disk", "invalid_name", "unsupported_storage", "suspended", "tuned", "clean",
         "high_performance", "legacy_devices", "guest_virtio"]  # guest_virtio: the real guest, clean too
# Every concern of every test VM (inverted from RULES): no rule may fire where it was not meant to.
EXPECTED = {role: {label for label, (_, roles) in RULES.items() if role in roles} for role in ROLES}

_validated: dict[str, dict] = {}  # engine → what validating the lab gave, computed once per engine


@pytest.fixture
def validated(engine, ovirt_lab):
    """Every lab VM validated through this engine (the inventory loaded once per engine): its concerns,
    concern level and cluster, by VM name."""
    key = type(engine).__name__
    if key not in _validated:
        provider = make_provider(ovirt_lab)
        load(provider)
        concerns = concerns_by_vm(provider, engine)
        rows = VirtualMachine.objects.filter(provider=provider).values_list("name", "concern_level", "cluster_uid")
        _validated[key] = {"concerns": concerns, "level": {name: level for name, level, _ in rows},
                           "cluster": {name: cluster for name, _, cluster in rows}}
    return _validated[key]


@pytest.fixture
def lab_concerns(validated):
    return validated["concerns"]


def vm_name(ovirt_lab, role):
    return ovirt_lab["test_vms"][role]["name"]


def default_labels() -> set[str]:
    sources = default_modules("ovirt").values()
    return {label for source in sources for label in re.findall(r'"label":\s*"([^"]+)"', source)}


def test_every_default_rule_has_a_lab_vm_and_every_test_vm_its_concerns(ovirt_lab):
    assert default_labels() == set(RULES)
    assert set(EXPECTED) == set(ovirt_lab["test_vms"])
    assert EXPECTED[CLEAN] == set()
    assert all(roles for label, (_, roles) in RULES.items()), "every rule trips in the lab"


@pytest.mark.parametrize("label", list(RULES))
def test_rule_fires_on_its_lab_vm_and_not_on_a_clean_one(ovirt_lab, lab_concerns, label):
    category, roles = RULES[label]
    for role in roles:
        found = [c for c in lab_concerns[vm_name(ovirt_lab, role)] if c["label"] == label]
        assert [c["category"] for c in found] == [category], (role, lab_concerns[vm_name(ovirt_lab, role)])
        assert len(found[0]["assessment"]) > 80  # says what differs after migration or what to do
    assert label not in labels(lab_concerns[vm_name(ovirt_lab, CLEAN)])


@pytest.mark.parametrize("role", ROLES)
def test_each_test_vm_has_exactly_its_concerns(ovirt_lab, lab_concerns, role):
    assert labels(lab_concerns[vm_name(ovirt_lab, role)]) == EXPECTED[role]


def test_bulk_vms_get_only_their_cluster_and_network_filter_concerns(ovirt_lab, validated):
    """vm-0001…: a plain disk and NIC each, alternating between Default and Cluster2 (HA reservation, KSM)."""
    bulk = {name for name in validated["concerns"] if name.startswith("vm-")}
    assert len(bulk) == ovirt_lab["vm_count"] - len(ovirt_lab["test_vms"]) > 0
    for name in bulk:
        in_cluster2 = validated["cluster"][name] == ovirt_lab["clusters"]["Cluster2"]
        expected = {NETWORK_FILTER} | ({HA_RESERVATION, KSM} if in_cluster2 else set())
        assert labels(validated["concerns"][name]) == expected, name


def test_critical_concerns_make_the_vm_critical(ovirt_lab, validated):
    level = validated["level"]
    for role in ("illegal_disk", "locked_disk", "unsupported_storage", "suspended"):
        assert level[vm_name(ovirt_lab, role)] == VirtualMachine.Concern.CRITICAL, role
    assert level[vm_name(ovirt_lab, CLEAN)] == 0


def test_both_engines_give_the_same_concerns(ovirt_lab, opa_url):
    provider = make_provider(ovirt_lab)
    load(provider)
    assert concerns_by_vm(provider, RegopyEngine()) == concerns_by_vm(provider, OpaEngine(opa_url))


def test_records_lacking_fields_raise_nothing(engine):
    """What an engine makes of records without the fields the rules read: no error, no concern."""
    engine.load("ovirt", modules("ovirt"))
    fields = ["diskAttachments", "nics", "cluster", "snapshots", "hostDevices", "watchDogs", "status", "name"]
    records = [{}, {field: None for field in fields}, {"diskAttachments": [{}], "nics": [{"profile": None}]},
               {"cluster": "an id that was not expanded", "diskAttachments": [{"disk": None}]}]
    assert engine.concerns("ovirt", records) == [[], [], [], []]


def test_numa_pinning_trips_on_its_lab_vm(ovirt_lab, lab_concerns):
    assert NUMA in labels(lab_concerns[vm_name(ovirt_lab, "high_performance")])


def test_the_records_carry_the_traits_the_rules_read(ovirt_lab):
    """The adapter's fields for the lab's new traits, as the rules read them (input.<field>)."""
    provider = make_provider(ovirt_lab)
    load(provider)
    data = {role: VirtualMachine.objects.get(provider=provider, uid=ovirt_lab["test_vms"][role]["id"]).data
            for role in ("clean", "high_performance", "legacy_devices")}
    performance, legacy = data["high_performance"], data["legacy_devices"]
    assert performance["cpuPinningPolicy"] == "dedicated" and performance["placementPolicyAffinity"] == "pinned"
    assert [d["product"] for d in performance["hostDevices"]] == ["TU104GL [Tesla T4]"]
    assert [a["interface"] for a in legacy["diskAttachments"]] == ["ide"]
    assert [(n["interface"], n["plugged"]) for n in legacy["nics"]] == [("rtl8139_virtio", True), ("virtio", False)]
    limited = legacy["nics"][1]["profile"]
    assert limited["qos"] and limited["properties"] == [{"name": "ifacemacspoof", "value": "true"}]
    assert [s["persistMemory"] for s in legacy["snapshots"] if s["type"] == "regular"] == [True]
    assert [n["profile"]["networkFilter"] for n in data["clean"]["nics"]] == [""]

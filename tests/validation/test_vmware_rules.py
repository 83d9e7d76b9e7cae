"""The default vSphere rules on the lab's vCenter: each rule names the lab VM built to trip it,
and through both engines (OPA and regopy) exactly the rules meant for a VM fire on it.

The rules' own unit tests (`opa test providers/validation/policies/vmware`) cover the edge
cases (missing and null fields); here the inputs are the real inventory records the vSphere
adapter builds from vcsim (lab/vsphere/README.md, "Traits")."""

import re

import pytest

from providers.models import VirtualMachine
from providers.validation.rules import default_modules
from tests.providers.helpers import load
from tests.providers.vsphere_helpers import make_provider
from tests.validation.conftest import concerns_by_vm, labels

pytestmark = [pytest.mark.lab, pytest.mark.django_db]

# label → (category, the lab roles whose VM trips it)
RULES = {
    "PCI passthrough device": ("Critical", ["passthrough"]),
    "Raw device mapping (RDM) disk": ("Critical", ["rdm"]),
    "SR-IOV network adapter": ("Critical", ["passthrough"]),
    "Independent disk": ("Critical", ["rdm"]),
    "Changed block tracking disabled": ("Warning", ["cbt_off"]),
    "Changed block tracking disabled on a disk": ("Warning", ["rdm"]),
    "CPU affinity": ("Warning", ["passthrough"]),
    "CPU hot plug enabled": ("Warning", ["rdm"]),
    "Memory hot plug enabled": ("Warning", ["rdm"]),
    "Fault tolerance enabled": ("Warning", ["fault_tolerance"]),
    "VM running in an HA-enabled cluster": ("Warning", ["fault_tolerance", "shared_disk", "invalid_name"]),
    "VM-host affinity rule": ("Warning", ["shared_disk", "shared_disk_peer"]),
    "Memory ballooning active": ("Warning", ["rdm"]),
    "VM name not valid in Kubernetes": ("Warning", ["invalid_name"]),
    "NUMA node affinity": ("Warning", ["passthrough"]),
    "Shared disk (multi-writer)": ("Warning", ["shared_disk", "shared_disk_peer"]),
    "UEFI firmware": ("Warning", ["uefi", "secure_boot_tpm"]),
    "UEFI secure boot enabled": ("Warning", ["secure_boot_tpm"]),
    "USB controller": ("Warning", ["secure_boot_tpm"]),
    "Virtual TPM": ("Warning", ["secure_boot_tpm"]),
    "VM running in a DPM-enabled cluster": ("Information", ["rdm", "uefi"]),
    "VM running in a DRS-enabled cluster": ("Information", ["cbt_on"]),
    "VM has snapshots": ("Information", ["snapshots"]),
}
CLEAN = "cbt_on"  # mtv-rhel9-cbt: a plain VM in a DRS cluster, nothing else to say
DRS = "VM running in a DRS-enabled cluster"
CBT_OFF = "Changed block tracking disabled"
# Every concern of every test VM: no rule may fire where it was not meant to.
EXPECTED = {
    "cbt_on": {DRS},
    "cbt_off": {DRS, CBT_OFF},
    "uefi": {DRS, CBT_OFF, "VM running in a DPM-enabled cluster", "UEFI firmware"},
    "two_disks_two_nics": {DRS, CBT_OFF, "VM running in a DPM-enabled cluster"},
    "invalid_name": {DRS, CBT_OFF, "VM running in an HA-enabled cluster", "VM name not valid in Kubernetes"},
    "shared_disk": {DRS, CBT_OFF, "VM running in an HA-enabled cluster", "VM-host affinity rule",
                    "Shared disk (multi-writer)"},
    "shared_disk_peer": {DRS, CBT_OFF, "VM running in an HA-enabled cluster", "VM-host affinity rule",
                         "Shared disk (multi-writer)"},
    "snapshots": {DRS, CBT_OFF, "VM has snapshots"},
    "other_datacenter": {CBT_OFF},  # DC1_C0 has DRS off
    "passthrough": {DRS, CBT_OFF, "PCI passthrough device", "SR-IOV network adapter", "CPU affinity",
                    "NUMA node affinity"},
    "rdm": {DRS, "VM running in a DPM-enabled cluster", "Raw device mapping (RDM) disk", "Independent disk",
            "Changed block tracking disabled on a disk", "CPU hot plug enabled", "Memory hot plug enabled",
            "Memory ballooning active"},
    "fault_tolerance": {DRS, CBT_OFF, "VM running in an HA-enabled cluster", "Fault tolerance enabled"},
    "secure_boot_tpm": {DRS, CBT_OFF, "UEFI firmware", "UEFI secure boot enabled", "USB controller",
                        "Virtual TPM"},
    "guest_bios": {DRS, CBT_OFF},  # the real guest (lab/guest)
    "guest_uefi": {DRS, CBT_OFF, "UEFI firmware"},
}

_concerns: dict[str, dict[str, list[dict]]] = {}  # engine → {VM name: concerns}, computed once per engine


@pytest.fixture
def lab_concerns(engine, vsphere_lab):
    """The concerns of every lab VM through this engine (the inventory loaded once per engine)."""
    key = type(engine).__name__
    if key not in _concerns:
        provider = make_provider(vsphere_lab)
        load(provider)
        _concerns[key] = concerns_by_vm(provider, engine)
    return _concerns[key]


def vm_name(vsphere_lab, role):
    return vsphere_lab["test_vms"][role]["name"]


def default_labels() -> set[str]:
    sources = default_modules("vsphere").values()
    return {label for source in sources for label in re.findall(r'"label":\s*"([^"]+)"', source)}


def test_every_default_rule_has_a_lab_vm_and_every_test_vm_its_concerns(vsphere_lab):
    assert default_labels() == set(RULES)
    assert set(EXPECTED) == set(vsphere_lab["test_vms"])


@pytest.mark.parametrize("label", list(RULES))
def test_rule_fires_on_its_lab_vm_and_not_on_a_clean_one(vsphere_lab, lab_concerns, label):
    category, roles = RULES[label]
    for role in roles:
        found = [c for c in lab_concerns[vm_name(vsphere_lab, role)] if c["label"] == label]
        assert [c["category"] for c in found] == [category], (role, lab_concerns[vm_name(vsphere_lab, role)])
        assert found[0]["assessment"]
    clean = "other_datacenter" if label == DRS else CLEAN
    assert label not in labels(lab_concerns[vm_name(vsphere_lab, clean)])


@pytest.mark.parametrize("role", list(EXPECTED))
def test_each_test_vm_has_exactly_its_concerns(vsphere_lab, lab_concerns, role):
    assert labels(lab_concerns[vm_name(vsphere_lab, role)]) == EXPECTED[role]


def test_the_records_carry_the_traits_the_rules_read(vsphere_lab):
    """The adapter's fields for the lab's traits, as the rules read them (input.<field>)."""
    provider = make_provider(vsphere_lab)
    load(provider)
    data = {role: VirtualMachine.objects.get(provider=provider, name=vm_name(vsphere_lab, role)).data
            for role in EXPECTED}
    assert {d["kind"] for d in data["passthrough"]["devices"]} >= {"VirtualPCIPassthrough"}
    assert [n["model"] for n in data["passthrough"]["nics"]] == ["vmxnet3", "sriov"]
    assert data["passthrough"]["cpuAffinity"] and data["passthrough"]["numaNodeAffinity"] == ["0"]
    disks = data["rdm"]["disks"]
    assert [(d["rdm"], d["mode"], d["changeTrackingEnabled"]) for d in disks] == [
        (False, "persistent", True), (False, "independent_persistent", True), (True, "independent_persistent", False)]
    assert data["rdm"]["cpuHotAddEnabled"] and data["rdm"]["memoryHotAddEnabled"]
    assert data["rdm"]["balloonedMemory"] > 0
    assert data["fault_tolerance"]["faultToleranceEnabled"] is True
    assert data["secure_boot_tpm"]["firmware"] == "efi" and data["secure_boot_tpm"]["secureBoot"] is True
    assert {"VirtualTPM", "VirtualUSBXHCIController"} <= {d["kind"] for d in data["secure_boot_tpm"]["devices"]}
    for role, traits in data.items():
        if role not in ("passthrough", "rdm", "fault_tolerance", "secure_boot_tpm"):
            assert not traits["faultToleranceEnabled"] and not traits["cpuAffinity"], role
            assert not any(d["rdm"] or d["mode"] != "persistent" for d in traits["disks"]), role

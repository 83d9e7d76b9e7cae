"""The default OVA rules (providers/validation/policies/ova) on the lab's appliances, through both
engines: each rule raises its concern on the VM made to trip it and stays quiet elsewhere.

The lab's main share holds the everyday VMs (win2019-efi has secure boot, photon-ovf2 and
debian-sub1 have NICs without a MAC, alpine-bios is clean); its validation-cases share
(lab/ova/README.md) holds one appliance per remaining rule. Both are scanned by the real
scanner Pod on the lab cluster.
"""

import pytest

from providers.models import Provider, VirtualMachine
from providers.validation.engines import OpaEngine, RegopyEngine
from tests.providers.helpers import load
from tests.validation.conftest import concerns_by_vm, labels

pytestmark = [pytest.mark.lab, pytest.mark.django_db]

DISK_FORMAT = "Unsupported disk format"
NO_DISKS = "VM has no disks"
NOT_VSPHERE = "OVF not exported from vSphere"
SECURE_BOOT = "UEFI secure boot enabled"
NAME = "Invalid VM name"
NO_NETWORK = "NIC not connected to a network"
NO_MAC = "NIC without a MAC address"
HOT_PLUG = "CPU or memory hot plug enabled"
USB = "USB controller present"
CATEGORIES = {DISK_FORMAT: "Critical", NO_DISKS: "Critical", NO_NETWORK: "Critical", NOT_VSPHERE: "Warning",
              SECURE_BOOT: "Warning", NAME: "Warning", HOT_PLUG: "Warning", USB: "Warning", NO_MAC: "Information"}

# Every VM of both shares and exactly the concerns it must get.
EXPECTED = {
    # the main share
    "alpine-bios": set(),
    "rhel8-extracted": set(),
    "ubuntu-sub2": set(),
    "win2019-efi": {SECURE_BOOT},
    "photon-ovf2": {NO_MAC},
    "debian-sub1": {NO_MAC},
    "mtv-guest-bios": set(),  # the real guest
    # the validation cases
    "raw-disk": {DISK_FORMAT},
    "pxe-diskless": {NO_DISKS},
    "vbox-appliance": {NOT_VSPHERE, NO_MAC},
    "Finance_DB 01": {NAME, HOT_PLUG},
    "usb-dongle": {USB, NO_NETWORK},
}
# What an assessment must name, so the user knows which disk, NIC or name is meant.
MENTIONS = {
    ("raw-disk", DISK_FORMAT): "raw-disk-disk1.img (raw)",
    ("usb-dongle", NO_NETWORK): "Network adapter 2.",
    ("photon-ovf2", NO_MAC): "Network adapter 1 ",
    ("debian-sub1", NO_MAC): "Network adapter 2 ",
    ("vbox-appliance", NO_MAC): "Ethernet adapter on 'NAT'",
    ("Finance_DB 01", NAME): "'Finance_DB 01'",
    ("Finance_DB 01", HOT_PLUG): "CPU hot add, memory hot add",
}


@pytest.fixture(autouse=True)
def host_cluster(settings, kube_lab):
    settings.MTVWEB_KUBECONFIG = kube_lab["admin_kubeconfig"]  # the scanner Pod runs there


def ova_provider(name: str, url: str) -> Provider:
    provider = Provider(type="ova", namespace="team-a", name=name, url=url)
    provider.set_credentials({"url": url})
    provider.save()
    load(provider)
    return provider


@pytest.fixture
def shares(ova_lab):
    """Both lab shares as loaded OVA providers."""
    return [ova_provider("ova-share", ova_lab["nfs_url"]), ova_provider("ova-cases", ova_lab["cases"]["nfs_url"])]


def all_concerns(shares, engine) -> dict[str, list[dict]]:
    found = {}
    for provider in shares:
        found.update(concerns_by_vm(provider, engine))
    return found


def test_every_rule_trips_on_its_lab_vm_and_nowhere_else(shares, engine, ova_lab):
    assert set(EXPECTED) == set(ova_lab["vms"]) | set(ova_lab["cases"]["vms"]), "a lab VM without expectations"
    found = all_concerns(shares, engine)
    assert {name: labels(concerns) for name, concerns in found.items()} == EXPECTED
    assert set(CATEGORIES) == set().union(*EXPECTED.values()), "every rule has a lab VM that trips it"
    for name, concerns in found.items():
        for concern in concerns:
            assert concern["category"] == CATEGORIES[concern["label"]], (name, concern)
            assert len(concern["assessment"]) > 80, (name, concern)  # says what differs or what to do
    for (name, label), text in MENTIONS.items():
        assessment = next(c["assessment"] for c in found[name] if c["label"] == label)
        assert text in assessment, (name, label, assessment)
    # Critical concerns make the VM's level critical (the plan checks read it).
    level = dict(VirtualMachine.objects.filter(provider__in=shares).values_list("name", "concern_level"))
    assert level["raw-disk"] == level["pxe-diskless"] == level["usb-dongle"] == VirtualMachine.Concern.CRITICAL
    assert level["alpine-bios"] == 0


def test_both_engines_give_the_same_concerns(shares, opa_url):
    assert all_concerns(shares, RegopyEngine()) == all_concerns(shares, OpaEngine(opa_url))

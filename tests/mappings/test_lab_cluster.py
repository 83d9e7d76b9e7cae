"""The target side read from the lab cluster's real inventory: its NADs, its storage classes and
their default modes from real StorageProfiles or, where a profile has no modes, the guide's
§2.2 table; the sources of the lab's vSphere."""

import pytest

from mappings.sources import networks_used, source_networks, source_storages, storages_used
from mappings.targets import default_storage_class, target_networks, target_storage_classes
from providers.adapters.openshift.host import ensure_host_provider
from providers.models import VirtualMachine
from tests.providers.helpers import load
from tests.providers.vsphere_helpers import make_provider

pytestmark = [pytest.mark.lab, pytest.mark.django_db]


@pytest.fixture
def host(settings, kube_lab):
    settings.MTVWEB_KUBECONFIG = kube_lab["admin_kubeconfig"]
    provider = ensure_host_provider()
    load(provider)
    return provider


def test_nads_and_default_class_of_the_lab_cluster(host):
    values = [n.value for n in target_networks(host)]
    assert {"default/br-ext", "mtv-user/vlan-100", "mtv-demo/vlan-200", "openshift-mtv/migration-net"} <= set(values)
    assert default_storage_class(host).name == "ocs-storagecluster-ceph-rbd"


@pytest.mark.parametrize("name,access_mode,volume_mode,origin", [
    # StorageProfiles with claimPropertySets: the first one.
    ("ocs-storagecluster-ceph-rbd", "ReadWriteMany", "Block", "storage profile"),
    ("ocs-storagecluster-cephfs", "ReadWriteMany", "Filesystem", "storage profile"),
    ("hostpath-csi", "ReadWriteOnce", "Filesystem", "storage profile"),
    ("small-capacity", "ReadWriteOnce", "Block", "storage profile"),
    # StorageProfiles without modes: the provisioner table.
    ("gp2", "ReadWriteOnce", "Block", "provisioner table"),
    ("azure-file", "ReadWriteMany", "Filesystem", "provisioner table"),
    ("csi-manila-ceph", "ReadWriteMany", "Filesystem", "provisioner table"),
    ("thin", "ReadWriteOnce", "Block", "provisioner table"),
])
def test_default_modes_of_the_lab_storage_classes(host, name, access_mode, volume_mode, origin):
    classes = {c.name: c for c in target_storage_classes(host)}
    modes = classes[name].modes
    assert (modes.access_mode, modes.volume_mode, modes.origin) == (access_mode, volume_mode, origin)


def test_sources_of_the_lab_vsphere(vsphere_lab):
    vcenter = make_provider(vsphere_lab)
    load(vcenter)
    labels = [e.label for e in source_networks(vcenter)]
    assert "VM Network (/DC0/network/VM Network)" in labels and "VM Network (/DC1/network/VM Network)" in labels
    assert {"LocalDS_0", "LocalDS_1"} <= {e.name for e in source_storages(vcenter)}
    vm = VirtualMachine.objects.get(provider=vcenter, name=vsphere_lab["test_vms"]["two_disks_two_nics"]["name"])
    assert len(networks_used(vcenter, [vm.uid])) == 2
    assert len(storages_used(vcenter, [vm.uid])) == 2

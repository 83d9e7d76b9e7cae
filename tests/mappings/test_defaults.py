"""Default access and volume modes of a storage class (guide §2.2): the StorageProfile's first
claimPropertySet, else the provisioner table, else ReadWriteOnce + Filesystem."""

import pytest

from mappings.defaults import FROM_FALLBACK, FROM_PROFILE, FROM_TABLE, default_modes

GUIDE_TABLE = [  # guide §2.2, row by row: provisioner, volume mode, access mode
    ("kubernetes.io/aws-ebs", "Block", "ReadWriteOnce"),
    ("kubernetes.io/azure-disk", "Block", "ReadWriteOnce"),
    ("kubernetes.io/azure-file", "Filesystem", "ReadWriteMany"),
    ("kubernetes.io/cinder", "Block", "ReadWriteOnce"),
    ("kubernetes.io/gce-pd", "Block", "ReadWriteOnce"),
    ("kubernetes.io/hostpath-provisioner", "Filesystem", "ReadWriteOnce"),
    ("manila.csi.openstack.org", "Filesystem", "ReadWriteMany"),
    ("openshift-storage.cephfs.csi.ceph.com", "Filesystem", "ReadWriteMany"),
    ("openshift-storage.rbd.csi.ceph.com", "Block", "ReadWriteOnce"),
    ("kubernetes.io/rbd", "Block", "ReadWriteOnce"),
    ("kubernetes.io/vsphere-volume", "Block", "ReadWriteOnce"),
]


def test_storage_profile_first_claim_property_set_wins_over_the_table():
    modes = default_modes({"provisioner": "openshift-storage.rbd.csi.ceph.com", "claimPropertySets": [
        {"accessModes": ["ReadWriteMany"], "volumeMode": "Block"},
        {"accessModes": ["ReadWriteOnce"], "volumeMode": "Filesystem"}]})
    assert (modes.access_mode, modes.volume_mode, modes.origin) == ("ReadWriteMany", "Block", FROM_PROFILE)
    assert "StorageProfile" in modes.explanation


def test_storage_profile_of_an_unknown_provisioner():
    modes = default_modes({"provisioner": "example.com/csi", "claimPropertySets": [
        {"accessModes": ["ReadWriteMany"], "volumeMode": "Filesystem"}]})
    assert (modes.access_mode, modes.volume_mode, modes.origin) == ("ReadWriteMany", "Filesystem", FROM_PROFILE)


def test_a_profile_set_lacking_a_mode_takes_that_one_from_the_table():
    modes = default_modes({"provisioner": "kubernetes.io/azure-file", "claimPropertySets": [{"volumeMode": "Block"}]})
    assert (modes.access_mode, modes.volume_mode, modes.origin) == ("ReadWriteMany", "Block", FROM_PROFILE)


@pytest.mark.parametrize("provisioner,volume_mode,access_mode", GUIDE_TABLE)
def test_provisioner_table_when_the_profile_has_no_modes(provisioner, volume_mode, access_mode):
    for profile in ({"claimPropertySets": []}, {}):
        modes = default_modes({"provisioner": provisioner, **profile})
        assert (modes.access_mode, modes.volume_mode, modes.origin) == (access_mode, volume_mode, FROM_TABLE)
        assert "provisioner table" in modes.explanation


def test_unknown_provisioner_without_profile_modes_gets_read_write_once_filesystem():
    modes = default_modes({"provisioner": "example.com/unknown", "claimPropertySets": []})
    assert (modes.access_mode, modes.volume_mode, modes.origin) == ("ReadWriteOnce", "Filesystem", FROM_FALLBACK)
    assert "ReadWriteOnce and Filesystem" in modes.explanation


def test_a_profile_set_with_only_an_access_mode_takes_the_volume_mode_from_the_table():
    modes = default_modes({"provisioner": "kubernetes.io/cinder", "claimPropertySets": [
        {"accessModes": ["ReadWriteMany", "ReadWriteOnce"]}]})
    assert (modes.access_mode, modes.volume_mode, modes.origin) == ("ReadWriteMany", "Block", FROM_PROFILE)


def test_a_profile_set_with_modes_nobody_knows_is_passed_over():
    modes = default_modes({"provisioner": "kubernetes.io/azure-file", "claimPropertySets": [
        {"accessModes": ["ReadWriteSometimes"], "volumeMode": "Tape"}, {"accessModes": ["ReadOnlyMany"]}]})
    assert (modes.access_mode, modes.volume_mode, modes.origin) == ("ReadWriteMany", "Filesystem", FROM_TABLE)
    modes = default_modes({"claimPropertySets": None})
    assert (modes.access_mode, modes.volume_mode, modes.origin) == ("ReadWriteOnce", "Filesystem", FROM_FALLBACK)

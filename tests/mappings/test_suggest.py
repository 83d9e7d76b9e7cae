"""What the plan wizard builds maps from: the sources a provider has and its VMs use, suggested
targets, and the save functions (same checks as the console)."""

import pytest
from django.core.exceptions import PermissionDenied

from mappings.kinds import NETWORK, STORAGE
from mappings.models import NetworkMap, StorageMap
from mappings.pairs import NetworkPairSpec, StoragePairSpec
from mappings.saving import MapInvalid, free_name, save_map
from mappings.sources import networks_used, source_networks, source_storages, storages_used
from mappings.suggest import suggest_network_pairs, suggest_storage_pairs
from tests.factories import ProviderFactory
from tests.mappings.inventory import add, add_vm, openshift_target, storage_class, vsphere_source

pytestmark = pytest.mark.django_db


@pytest.fixture
def source():
    return vsphere_source()


@pytest.fixture
def target():
    return openshift_target()


def test_sources_tell_equal_names_apart_by_path(source):
    assert [(e.id, e.label) for e in source_networks(source)] == [
        ("dvportgroup-113", "DPG-Prod"),
        ("network-6", "VM Network (/DC0/network/VM Network)"),
        ("network-121", "VM Network (/DC1/network/VM Network)"),
    ]
    assert [e.name for e in source_storages(source)] == ["LocalDS_0", "LocalDS_1"]


def test_an_ova_source_has_one_dummy_storage():
    ova = ProviderFactory(type="ova", name="share", url="nfs.example.com:/ova")
    add(ova, "storage", "default", "Dummy storage for source provider share")
    assert [(e.id, e.label) for e in source_storages(ova)] == [("default", "Dummy storage for source provider share")]


def test_an_openshift_source_offers_the_pod_network_and_its_nads(target):
    assert [(e.id, e.label) for e in source_networks(target)] == [
        ("pod", "Pod network"), ("nad-default-br-ext", "default/br-ext"), ("nad-mtv-user-prod", "mtv-user/prod"),
        ("nad-team-a-vm-network", "team-a/vm-network"), ("nad-team-b-vm-network", "team-b/vm-network"),
    ]
    assert [e.name for e in source_storages(target)] == ["ceph-rbd", "gp2", "mystery"]


def test_what_the_vms_use_in_first_seen_order_without_unconnected_nics(source):
    assert networks_used(source, ["vm-2", "vm-1"]) == ["network-6", "dvportgroup-113"]
    assert storages_used(source, ["vm-2", "vm-1"]) == ["datastore-102", "datastore-104"]
    assert networks_used(source, ["vm-2"]) == ["network-6"]


def test_network_suggestions_match_names_and_leave_the_rest_unmapped(source, target):
    add(source, "network", "network-7", "Storage LAN", "/DC0/network/Storage LAN")
    pairs = suggest_network_pairs(source, target, ["network-6", "dvportgroup-113", "network-7"], namespace="team-b")
    assert [(p.source_id, p.source_name, p.destination) for p in pairs] == [
        ("network-6", "VM Network", "team-b/vm-network"),  # equal names; the plan's namespace first
        ("dvportgroup-113", "DPG-Prod", "mtv-user/prod"),  # "prod" is contained in the network's name
        ("network-7", "Storage LAN", ""),  # nothing matches
    ]
    assert [p.mapped for p in pairs] == [True, True, False]


def test_network_suggestion_prefers_the_default_namespace_over_others(source, target):
    add(target, "network", "nad-default-vm-network", "vm-network", "/default/vm-network")
    [pair] = suggest_network_pairs(source, target, ["network-6"], namespace="elsewhere")
    assert pair.destination == "default/vm-network"


def test_openshift_source_suggestions_keep_pod_and_same_nads(target):
    other = openshift_target(namespace="team-a", name="other-cluster")
    add(other, "network", "nad-x", "only-here", "/lab/only-here")
    pairs = suggest_network_pairs(target, other, ["pod", "nad-mtv-user-prod", "nad-x"])
    assert [p.destination for p in pairs] == ["pod", "mtv-user/prod", ""]


def test_a_cluster_source_keeps_its_nads_and_classes_where_the_target_has_the_same(target):
    """Its NAD goes to the target's NAD of the same namespace/name and its storage class to the
    class of the same name, where matching by name would prefer the plan's namespace and the
    default class."""
    other = openshift_target(namespace="team-a", name="other-cluster")
    [pair] = suggest_network_pairs(target, other, ["nad-team-b-vm-network"], namespace="team-a")
    assert pair.destination == "team-b/vm-network"
    pairs = suggest_storage_pairs(target, other, ["sc-gp2", "sc-mystery"])
    assert [(p.storage_class, p.access_mode, p.volume_mode) for p in pairs] == [
        ("gp2", "ReadWriteOnce", "Block"), ("mystery", "ReadWriteOnce", "Filesystem")]


def test_storage_suggestions_use_the_default_class_with_its_modes(source, target):
    pairs = suggest_storage_pairs(source, target, ["datastore-102", "datastore-104"])
    assert [(p.source_name, p.storage_class, p.access_mode, p.volume_mode) for p in pairs] == [
        ("LocalDS_0", "ceph-rbd", "ReadWriteMany", "Block"), ("LocalDS_1", "ceph-rbd", "ReadWriteMany", "Block")]
    storage_class(target, "virt", "kubernetes.io/aws-ebs", default_virt=True)
    [pair] = suggest_storage_pairs(source, target, ["datastore-102"])
    assert (pair.storage_class, pair.access_mode, pair.volume_mode) == ("virt", "ReadWriteOnce", "Block")


def test_storage_suggestions_without_a_default_class_stay_unmapped(source):
    bare = ProviderFactory(namespace="team-a", name="bare", type="openshift")
    storage_class(bare, "gp2", "kubernetes.io/aws-ebs")
    [pair] = suggest_storage_pairs(source, bare, ["datastore-102"])
    assert not pair.mapped


def test_save_functions_create_maps_with_the_console_checks(people, source, target):
    network_map = save_map(NETWORK, user=people["editor"], name="wave-nets", namespace="team-a", source=source,
                           target=target, pairs=suggest_network_pairs(source, target, ["network-6"], "team-a"))
    assert [(p.source_id, p.source_name, p.destination) for p in network_map.pairs.all()] == [
        ("network-6", "VM Network", "team-a/vm-network")]
    storage_map = save_map(STORAGE, user=people["editor"], name="wave-disks", namespace="team-a", source=source,
                           target=target, pairs=[StoragePairSpec("datastore-102", "mystery")])
    pair = storage_map.pairs.get()
    assert (pair.access_mode, pair.volume_mode) == ("ReadWriteOnce", "Filesystem")
    with pytest.raises(MapInvalid) as refused:
        save_map(NETWORK, user=people["editor"], name="wave-nets", namespace="team-a", source=source, target=target,
                 pairs=[NetworkPairSpec("network-6"), NetworkPairSpec.to("network-404", "pod")])
    assert refused.value.errors == {
        "name": ["A network map named wave-nets already exists in project team-a: choose another name."],
        "map": {0: {"destination": ["Choose a target: the pod network or a NetworkAttachmentDefinition."]},
                1: {"source": ["Network network-404 is not in the inventory of vcenter: choose one of its networks "
                               "(refresh the provider if it is new)."]}}}
    assert NetworkMap.objects.count() == StorageMap.objects.count() == 1


def test_save_functions_change_a_map_and_refuse_viewers(people, source, target):
    network_map = save_map(NETWORK, user=people["editor"], name="nets", namespace="team-a", source=source,
                           target=target, pairs=[NetworkPairSpec.to("network-6", "pod")])
    before = network_map.updated
    changed = save_map(NETWORK, user=people["editor"], name="nets", namespace="team-a", source=source, target=target,
                       pairs=[NetworkPairSpec.to("network-6", "ignored")], instance=network_map)
    assert changed.pk == network_map.pk and changed.updated > before
    assert [p.destination for p in changed.pairs.all()] == ["ignored"]
    with pytest.raises(PermissionDenied, match="You may not add network maps in any project."):
        save_map(NETWORK, user=people["viewer"], name="mine", namespace="team-a", source=source, target=target,
                 pairs=[])


def test_specs_round_trip_through_json():
    pair = NetworkPairSpec.to("network-6", "team-a/vm-network", "VM Network")
    assert NetworkPairSpec.from_json(pair.to_json()) == pair
    storage = StoragePairSpec("ds", "gp2", "ReadWriteOnce", "Block", "LocalDS_0")
    assert StoragePairSpec.from_json(storage.to_json()) == storage


def test_free_name(people, source, target):
    assert free_name(NetworkMap, "team-a", "plan-x") == "plan-x"
    NetworkMap.objects.create(name="plan-x", namespace="team-a", source_provider=source, destination_provider=target)
    NetworkMap.objects.create(name="plan-x-2", namespace="team-a", source_provider=source,
                              destination_provider=target)
    assert free_name(NetworkMap, "team-a", "plan-x") == "plan-x-3"
    assert free_name(NetworkMap, "team-b", "plan-x") == "plan-x"


def test_vm_helper_records_match_the_adapter(source):
    add_vm(source, "vm-3", "lonely")
    assert networks_used(source, ["vm-3"]) == [] and storages_used(source, ["vm-3"]) == []

"""A cold migration from the OpenStack lab into the lab cluster, through the real engine, Cinder
snapshots and volumes uploaded to temporary Glance images, transfer Pods reading them with the
session's token, and the API server: two VMs — one ACTIVE with two volumes of two volume types
and two NICs, one SHUTOFF — arrive with every disk's bytes equal to the source volume's, their
MACs, networks, storage classes, CPU, memory and run strategy; no temporary image, snapshot or
volume is left in OpenStack. An image-booted server's root disk goes through Nova's createImage."""

import uuid

import blake3
import pytest
import requests

from plans import actions
from plans.engine import scheduler
from plans.models import RunStatus
from providers.adapters import adapter_for
from providers.adapters.openshift.host import ensure_host_provider
from providers.models import InventoryObject, Provider, VirtualMachine
from tests.engine.helpers import blake3_of, claim_file
from tests.providers.helpers import load, wait_for
from tests.providers.test_openstack import cloud, make_provider

pytestmark = [pytest.mark.lab, pytest.mark.django_db(transaction=True)]
RUNNING, STOPPED = "two_disks_two_nics", "shutoff"  # lab roles (lab/openstack/README.md)
CLASSES = {"fast-ssd": ("ocs-storagecluster-ceph-rbd", "ReadWriteMany", "Block"),
           "__DEFAULT__": ("ocs-storagecluster-cephfs", "ReadWriteMany", "Filesystem")}


@pytest.fixture
def conn(openstack_lab):
    connection = cloud(openstack_lab)
    yield connection
    connection.close()


def set_power(conn, server_id: str, on: bool | None) -> str:
    """Start or stop the lab server and wait for it (None: leave it); returns its status."""
    server = conn.compute.get_server(server_id)
    if on is not None and (server.status == "ACTIVE") != on:
        (conn.compute.start_server if on else conn.compute.stop_server)(server)
        server = conn.compute.wait_for_server(server, status="ACTIVE" if on else "SHUTOFF", interval=0.2, wait=60)
    return server.status


def leftovers(conn) -> list[str]:
    """Temporary images, snapshots and volumes of mtvweb in the lab project."""
    found = [f"image {i.name}" for i in conn.image.images() if (i.name or "").startswith("mtvweb-")]
    found += [f"snapshot {s.name}" for s in conn.block_storage.snapshots() if (s.name or "").startswith("mtvweb-")]
    found += [f"volume {v.name}" for v in conn.block_storage.volumes() if (v.name or "").startswith("mtvweb-")]
    return found


@pytest.fixture
def source(settings, openstack_lab):
    provider = make_provider(openstack_lab)
    load(provider)
    Provider.objects.filter(pk=provider.pk).update(status="Ready")
    provider.refresh_from_db()
    return provider


@pytest.fixture
def host(settings, kube_lab):
    settings.MTVWEB_KUBECONFIG = kube_lab["admin_kubeconfig"]
    provider = ensure_host_provider()
    load(provider)
    Provider.objects.filter(pk=provider.pk).update(status="Ready")
    provider.refresh_from_db()
    return provider


def openstack_plan(source, host, vms, target_namespace, name="osp-wave"):
    """A plan in team-a: storage-net to the NAD mtv-user/vlan-100, other networks to the pod
    network; volume type fast-ssd to a Block class, __DEFAULT__ to a Filesystem one."""
    from mappings.models import NetworkMap, NetworkPair, StorageMap, StoragePair
    from plans.models import Plan, PlanVM

    names = dict(InventoryObject.objects.filter(provider=source, kind__in=["network", "storage"])
                 .values_list("uid", "name"))
    network_map = NetworkMap.objects.create(namespace="team-a", name=f"{name}-nets", source_provider=source,
                                            destination_provider=host)
    for network in dict.fromkeys(n["network"]["id"] for vm in vms for n in vm.data["nics"]):
        multus = names[network] == "storage-net"
        NetworkPair.objects.create(map=network_map, source_id=network, source_name=names[network],
                                   destination_type="multus" if multus else "pod",
                                   destination_namespace="mtv-user" if multus else "",
                                   destination_name="vlan-100" if multus else "")
    storage_map = StorageMap.objects.create(namespace="team-a", name=f"{name}-disks", source_provider=source,
                                            destination_provider=host)
    for volume_type in dict.fromkeys(d["storage"]["id"] for vm in vms for d in vm.data["disks"]):
        storage_class, access, mode = CLASSES[names[volume_type]]
        StoragePair.objects.create(map=storage_map, source_id=volume_type, source_name=names[volume_type],
                                   storage_class=storage_class, access_mode=access, volume_mode=mode)
    plan = Plan.objects.create(namespace="team-a", name=name, source_provider=source, destination_provider=host,
                               target_namespace=target_namespace, network_map=network_map, storage_map=storage_map)
    for vm in vms:
        PlanVM.objects.create(plan=plan, vm_id=vm.uid, name=vm.name)
    return plan


@pytest.fixture
def plan(settings, source, host, openstack_lab, conn, people):
    roles = openstack_lab["test_vms"]
    before = {key: set_power(conn, roles[key]["id"], None) for key in (RUNNING, STOPPED)}
    assert set_power(conn, roles[RUNNING]["id"], True) == "ACTIVE"
    assert set_power(conn, roles[STOPPED]["id"], False) == "SHUTOFF"
    vms = [VirtualMachine.objects.get(provider=source, uid=roles[key]["id"]) for key in (RUNNING, STOPPED)]
    yield openstack_plan(source, host, vms, f"mig-{uuid.uuid4().hex[:6]}")
    for key, status in before.items():  # other tests expect the lab's servers as they were
        set_power(conn, roles[key]["id"], status == "ACTIVE")


def test_two_openstack_vms_migrate_cold_with_equal_bytes(plan, people, openstack_lab, conn, kube):
    core, custom = kube
    roles = openstack_lab["test_vms"]
    running, stopped = roles[RUNNING]["name"], roles[STOPPED]["name"]
    migration = actions.start(people["admin"], plan)
    migration = scheduler.run(migration, timeout=300)
    records = {r.name: r for r in migration.vms.all()}
    assert migration.status == RunStatus.SUCCEEDED, {n: (r.phase, r.error, r.log[-2000:]) for n, r in records.items()}
    volumes = {v["id"]: v for v in openstack_lab["volumes"]}
    ns = plan.target_namespace
    for name, record in records.items():
        ran = [s["state"] for s in record.steps if s["state"] != "Skipped"]
        assert ran == ["Completed"] * len(ran)
        assert [d["id"] for d in record.disks] == roles[RUNNING if name == running else STOPPED]["volumes"]
        for disk in record.disks:
            volume = volumes[disk["id"]]
            target = claim_file(core, ns, disk["claim"], disk["volumeMode"])
            assert blake3_of(target, volume["size"]) == volume["blake3"] == disk["blake3"], (name, volume["name"])
            assert disk["capacity"] == volume["size"]
    up = custom.get_namespaced_custom_object("kubevirt.io", "v1", ns, "virtualmachines", running)
    down = custom.get_namespaced_custom_object("kubevirt.io", "v1", ns, "virtualmachines", stopped)
    assert up["spec"]["runStrategy"] == "Always" and down["spec"]["runStrategy"] == "Halted"
    domain = up["spec"]["template"]["spec"]["domain"]
    assert domain["cpu"] == {"sockets": 2, "cores": 1, "threads": 1}  # m1.medium: 2 vCPUs, 4 GiB
    assert domain["memory"] == {"guest": "4096Mi"} and "bios" in domain["firmware"]["bootloader"]
    # NICs keep their MACs; private goes to the pod network, storage-net to the NAD.
    source_vm = VirtualMachine.objects.get(provider=plan.source_provider, uid=roles[RUNNING]["id"])
    assert [i["macAddress"] for i in domain["devices"]["interfaces"]] == [n["mac"] for n in source_vm.data["nics"]]
    assert sorted(n["mac"] for n in source_vm.data["nics"]) == sorted(roles[RUNNING]["macs"])
    wanted = [{"name": f"net{i}", "pod": {}} if n["network"]["name"] == "private"
              else {"name": f"net{i}", "multus": {"networkName": "mtv-user/vlan-100"}}
              for i, n in enumerate(source_vm.data["nics"])]
    assert up["spec"]["template"]["spec"]["networks"] == wanted and len({str(w) for w in wanted}) == 2
    claims = {c.metadata.name: c for c in core.list_namespaced_persistent_volume_claim(ns).items}
    assert [(claims[d["claim"]].spec.storage_class_name, claims[d["claim"]].spec.volume_mode)
            for d in records[running].disks] == [("ocs-storagecluster-ceph-rbd", "Block"),
                                                 ("ocs-storagecluster-cephfs", "Filesystem")]
    # Cold: the server that ran is stopped now; nothing temporary is left in OpenStack or in the namespace.
    assert set_power(conn, roles[RUNNING]["id"], None) == "SHUTOFF"
    assert leftovers(conn) == []
    assert not [s for s in core.list_namespaced_secret(ns).items if s.metadata.name.endswith(f"-{migration.pk}")]


def test_an_image_booted_servers_root_disk_is_exported_through_glance(source, openstack_lab, conn):
    """Not through a plan (the plan checks accept only volume-backed servers, guide §2.6): the
    source operations alone, read the way a transfer Pod reads, with its Secret's header and CA."""
    role = openstack_lab["test_vms"]["image_booted"]
    root = next(r for r in openstack_lab["root_disks"] if r["server_id"] == role["id"])
    vm = VirtualMachine.objects.get(provider=source, uid=role["id"])
    ops = adapter_for(source).operations()
    described = ops.describe(vm)
    assert [(d.id, d.capacity, d.storage) for d in described.disks] == [("root", root["size"], "glance")]
    assert (described.sockets, described.cores, described.memory_mib) == (1, 1, 512)  # m1.tiny
    try:
        args = ops.prepare_disks(vm, described)
        assert ops.prepare_disks(vm, described) == args  # found again, not made twice
        url = args["root"][args["root"].index("--url") + 1]
        secret = ops.reader_secret()
        header, _, token = secret["SOURCE_TOKEN_HEADER"].partition(": ")
        ca = openstack_lab["ca_file"]
        assert secret["SOURCE_CA_PEM"] == open(ca).read()
        assert requests.get(url, verify=ca, timeout=30).status_code == 401  # the token is needed
        hasher, size = blake3.blake3(), 0
        with requests.get(url, headers={header: token}, verify=ca, stream=True, timeout=60) as response:
            response.raise_for_status()
            for chunk in response.iter_content(8 << 20):
                hasher.update(chunk)
                size += len(chunk)
        assert (size, hasher.hexdigest()) == (root["size"], root["blake3"])
    finally:
        ops.release_disks(vm)
        ops.release_disks(vm)  # idempotent
    wait_for(lambda: leftovers(conn) == [], timeout=10)


def test_firmware_buses_and_nic_models_follow_the_image_properties(openstack_lab):
    """vm-secure-boot (hw_firmware_type uefi) and vm-tuned (hw_disk_bus ide, hw_vif_model vmxnet3),
    in the lab's validation project, described for the target."""
    from tests.providers.test_openstack import lab_credentials

    provider = make_provider(openstack_lab, lab_credentials(openstack_lab,
                                                            projectName=openstack_lab["validation_project"]["name"]),
                             name="osp-validation")
    load(provider)
    ops = adapter_for(provider).operations()
    secure = ops.describe(VirtualMachine.objects.get(provider=provider, name="vm-secure-boot"))
    tuned = ops.describe(VirtualMachine.objects.get(provider=provider, name="vm-tuned"))
    assert (secure.firmware, tuned.firmware) == ("efi", "bios")
    assert [d.bus for d in tuned.disks] == ["sata"] and [n.model for n in tuned.nics] == ["virtio", "virtio"]
    assert (tuned.sockets, tuned.cores, tuned.memory_mib) == (4, 1, 8192)  # m1.tuned: no hw:cpu_* topology


def test_a_volume_in_error_stops_the_export_with_words_and_release_cleans_up(source, openstack_lab, conn):
    from providers.adapters import ProviderError

    vm = VirtualMachine.objects.get(provider=source, uid=openstack_lab["test_vms"]["volume_error"]["id"])
    ops = adapter_for(source).operations()
    try:
        with pytest.raises(ProviderError, match=r"vm-volume-error-data of vm-volume-error is error: .*restart"):
            ops.prepare_disks(vm, ops.describe(vm))
        assert leftovers(conn)  # the boot volume's image was made before the data volume failed
    finally:
        ops.release_disks(vm)
    assert leftovers(conn) == []

"""A cold migration from the OVA lab share into the lab cluster, through the real engine, transfer
Pods (reading the streamOptimized VMDKs off the share, mounted as an NFS volume) and API server:
three VMs — win2019-efi (an .ova with two disks and two NICs, UEFI), photon-ovf2 (an OVF 2.0
.ova whose NIC has no MAC) and rhel8-extracted (an extracted .ovf beside its .vmdk, BIOS) —
arrive with every disk's bytes equal to the raw content the lab recorded, their MACs (or none,
for KubeVirt to pick), networks, firmware, and Halted: an OVA never runs."""

import uuid

import pytest

from plans import actions
from plans.engine import scheduler
from plans.models import RunStatus
from providers.adapters.ova.records import STORAGE_ID
from providers.models import InventoryObject, Provider, VirtualMachine
from tests.engine.helpers import blake3_of, claim_file

pytestmark = [pytest.mark.lab, pytest.mark.django_db(transaction=True)]
WIN, PHOTON, RHEL = "win2019-efi", "photon-ovf2", "rhel8-extracted"
PROD_NETWORK = "prod-vlan-20"  # → the NAD mtv-user/vlan-100; every other network → the pod network
BLOCK_CLASS = "ocs-storagecluster-ceph-rbd"


def ova_plan(source, host, vm_names, target_namespace, name="ova-wave"):
    from mappings.models import NetworkMap, NetworkPair, StorageMap, StoragePair
    from plans.models import Plan, PlanVM

    vms = [VirtualMachine.objects.get(provider=source, name=n) for n in vm_names]
    names = dict(InventoryObject.objects.filter(provider=source, kind="network").values_list("uid", "name"))
    network_map = NetworkMap.objects.create(namespace="team-a", name=f"{name}-nets", source_provider=source,
                                            destination_provider=host)
    for network in {n["networkId"] for vm in vms for n in vm.data["nics"] if n["networkId"]}:
        multus = names[network] == PROD_NETWORK
        NetworkPair.objects.create(map=network_map, source_id=network, source_name=names[network],
                                   destination_type="multus" if multus else "pod",
                                   destination_namespace="mtv-user" if multus else "",
                                   destination_name="vlan-100" if multus else "")
    storage_map = StorageMap.objects.create(namespace="team-a", name=f"{name}-disks", source_provider=source,
                                            destination_provider=host)
    StoragePair.objects.create(map=storage_map, source_id=STORAGE_ID, source_name="Dummy storage",
                               storage_class=BLOCK_CLASS, access_mode="ReadWriteMany", volume_mode="Block")
    plan = Plan.objects.create(namespace="team-a", name=name, source_provider=source, destination_provider=host,
                               target_namespace=target_namespace, network_map=network_map, storage_map=storage_map,
                               skip_guest_conversion=True)  # the lab's appliances hold no guest
    for vm in vms:
        PlanVM.objects.create(plan=plan, vm_id=vm.uid, name=vm.name)
    return plan


@pytest.fixture
def plan(settings, kube_lab, ova_lab, people):
    from providers.adapters.openshift.host import ensure_host_provider
    from tests.providers.helpers import load
    from tests.providers.test_ova import make_provider

    settings.MTVWEB_KUBECONFIG = kube_lab["admin_kubeconfig"]
    host = ensure_host_provider()
    load(host)
    source = make_provider(ova_lab["nfs_url"], name=f"ova-{uuid.uuid4().hex[:6]}")
    load(source)
    Provider.objects.filter(pk__in=[host.pk, source.pk]).update(status="Ready")
    host.refresh_from_db()
    source.refresh_from_db()
    return ova_plan(source, host, [WIN, PHOTON, RHEL], f"ova-{uuid.uuid4().hex[:6]}")


def test_three_ova_vms_migrate_cold_with_equal_bytes(plan, people, ova_lab, kube):
    core, custom = kube
    migration = actions.start(people["admin"], plan)
    migration = scheduler.run(migration, timeout=300)
    records = {r.name: r for r in migration.vms.all()}
    assert migration.status == RunStatus.SUCCEEDED, {n: (r.phase, r.error, r.log[-2000:]) for n, r in records.items()}
    ns = plan.target_namespace
    for name, record in records.items():
        steps = [s["state"] for s in record.steps if s["state"] != "Skipped"]
        assert steps == ["Completed"] * len(steps), name
        lab_disks = ova_lab["vms"][name]["disks"]
        assert len(record.disks) == len(lab_disks), name
        for disk, source in zip(record.disks, lab_disks, strict=True):  # inventory order = OVF order = lab order
            target = claim_file(core, ns, disk["claim"], disk["volumeMode"])
            assert blake3_of(target, source["capacity"]) == source["blake3"] == disk["blake3"], (name, disk["id"])
            assert disk["capacity"] == source["capacity"]

    vms = {name: custom.get_namespaced_custom_object("kubevirt.io", "v1", ns, "virtualmachines", name)
           for name in (WIN, PHOTON, RHEL)}
    for name, vm in vms.items():
        spec = vm["spec"]["template"]["spec"]
        source = VirtualMachine.objects.get(provider=plan.source_provider, name=name).data
        assert vm["spec"]["runStrategy"] == "Halted", name  # an OVA was never running
        want = "efi" if source["firmware"] == "efi" else "bios"
        assert list(spec["domain"]["firmware"]["bootloader"]) == [want], name
        assert spec["domain"]["cpu"]["sockets"] * spec["domain"]["cpu"]["cores"] == source["cpuCount"], name
        assert spec["domain"]["memory"]["guest"] == f"{source['memoryMB']}Mi", name
        assert [v["persistentVolumeClaim"]["claimName"] for v in spec["volumes"]] == [
            d["claim"] for d in records[name].disks]
    assert [list(vms[n]["spec"]["template"]["spec"]["domain"]["firmware"]["bootloader"]) for n in (WIN, PHOTON, RHEL)] \
        == [["efi"], ["efi"], ["bios"]]

    win = vms[WIN]["spec"]["template"]["spec"]
    assert [i.get("macAddress") for i in win["domain"]["devices"]["interfaces"]] == [
        "00:50:56:aa:00:02", "00:50:56:aa:00:03"]
    assert win["networks"] == [{"name": "net0", "pod": {}},
                               {"name": "net1", "multus": {"networkName": "mtv-user/vlan-100"}}]
    assert [d["disk"]["bus"] for d in win["domain"]["devices"]["disks"]] == ["sata", "sata"]
    photon = vms[PHOTON]["spec"]["template"]["spec"]
    assert "macAddress" not in photon["domain"]["devices"]["interfaces"][0]  # the OVF has none: KubeVirt picks
    assert photon["networks"] == [{"name": "net0", "pod": {}}]
    rhel = vms[RHEL]["spec"]["template"]["spec"]
    assert [i.get("macAddress") for i in rhel["domain"]["devices"]["interfaces"]] == ["00:50:56:aa:00:04"]
    assert rhel["networks"] == [{"name": "net0", "multus": {"networkName": "mtv-user/vlan-100"}}]

    claims = {c.metadata.name: c for c in core.list_namespaced_persistent_volume_claim(ns).items}
    assert {(claims[d["claim"]].spec.storage_class_name, claims[d["claim"]].spec.volume_mode)
            for r in records.values() for d in r.disks} == {(BLOCK_CLASS, "Block")}
    # The finished transfer Pods stay for the logs until the plan is archived: each read the share
    # through a read-only NFS volume; the reader Secret is gone.
    pods = core.list_namespaced_pod(ns, label_selector="mtvweb.io/role=transfer").items
    assert {p.status.phase for p in pods} == {"Succeeded"} and len(pods) == 4
    for pod in pods:
        nfs = [v.nfs for v in pod.spec.volumes if v.nfs]
        assert [(v.server, v.path, v.read_only) for v in nfs] == [(ova_lab["nfs_server"], ova_lab["nfs_path"], True)]
        command = pod.spec.containers[0].command
        assert command[command.index("--source-kind") + 1] == "vmdk"
        assert command[command.index("--path") + 1].startswith("/ova/")
    assert not [s for s in core.list_namespaced_secret(ns).items if s.metadata.name.endswith(f"-{migration.pk}")]


def test_transfer_pods_read_the_share_through_an_nfs_volume(plan, ova_lab):
    """What the engine asks of the cluster for each OVA disk: the share as a read-only NFS volume
    at /ova, and the reader pointed at the .ova and its member, or at an extracted .vmdk."""
    from plans.engine import objects
    from providers.adapters import adapter_for

    ops = adapter_for(plan.source_provider).operations()
    share = {"server": ova_lab["nfs_server"], "path": ova_lab["nfs_path"], "readOnly": True}
    for name in (WIN, RHEL):
        vm = VirtualMachine.objects.get(provider=plan.source_provider, name=name)
        source = ops.describe(vm)
        assert not ops.is_powered_on(vm) and not source.powered_on
        for disk, lab_disk in zip(source.disks, ova_lab["vms"][name]["disks"], strict=True):
            assert disk.storage == STORAGE_ID and disk.capacity == lab_disk["capacity"]
            relative = lab_disk["path"].removeprefix(ova_lab["share_path"].rstrip("/") + "/")
            member = ["--member", lab_disk["member"]] if lab_disk["member"] else []
            assert disk.reader_args == ["--source-kind", "vmdk", "--path", f"/ova/{relative}", *member]
            pod = objects.transfer_pod("p", "c", "Block", disk, "s", {})
            assert {"name": "source-0", "nfs": share} in pod["spec"]["volumes"]
            assert {"name": "source-0", "mountPath": "/ova", "readOnly": True} in \
                pod["spec"]["containers"][0]["volumeMounts"]

"""A cold migration from one namespace of the lab cluster to another, with the cluster as both
the source and the target (the host provider): two KubeVirt VMs — one running on a Block claim,
one halted with UEFI, a Filesystem and a Block claim and two NICs (pod, and the NAD
mtv-user/vlan-100) — arrive with every disk's bytes equal to the source's, their MACs, networks,
storage classes, CPU, memory, firmware and run strategy. The disks are read in the source
namespace by reader Pods (mtvweb/pods/serve.py) that are gone afterwards with their Secret; the
source that ran is halted (cold)."""

import os
import time
import uuid

import pytest
from kubernetes import client

from plans import actions
from plans.engine import scheduler
from plans.models import RunStatus
from providers.models import InventoryObject, Provider, VirtualMachine
from tests.engine.helpers import blake3_of, claim_file
from tests.providers.helpers import load, wait_for

pytestmark = [pytest.mark.lab, pytest.mark.django_db(transaction=True)]
KUBEVIRT = ("kubevirt.io", "v1")
MIB = 1 << 20
RBD, CEPHFS = "ocs-storagecluster-ceph-rbd", "ocs-storagecluster-cephfs"
NAD = "mtv-user/vlan-100"
MACS = ["02:6d:74:00:00:11", "02:6d:74:00:00:12"]
# claim → (storage class, volume mode, size)
CLAIMS = {"kv-web-root": (RBD, "Block", 16 * MIB), "kv-db-root": (CEPHFS, "Filesystem", 24 * MIB),
          "kv-db-data": (RBD, "Block", 12 * MIB)}


def disk(name, bus="virtio", boot=None):
    return {"name": name, "disk": {"bus": bus}, **({"bootOrder": boot} if boot else {})}


def vm_body(name, run_strategy, disks, claims, interfaces, networks, domain):
    return {
        "apiVersion": "kubevirt.io/v1", "kind": "VirtualMachine", "metadata": {"name": name},
        "spec": {"runStrategy": run_strategy, "template": {"spec": {
            "domain": {"devices": {"disks": disks, "interfaces": interfaces}, **domain},
            "networks": networks,
            "volumes": [{"name": d["name"], "persistentVolumeClaim": {"claimName": c}}
                        for d, c in zip(disks, claims, strict=True)],
        }}},
    }


VMS = {
    "kv-web": vm_body("kv-web", "Always", [disk("root")], ["kv-web-root"],
                      [{"name": "default", "masquerade": {}}], [{"name": "default", "pod": {}}],
                      {"cpu": {"cores": 2}, "memory": {"guest": "256Mi"}}),
    "kv-db": vm_body("kv-db", "Halted", [disk("data", "sata"), disk("root", boot=1)], ["kv-db-data", "kv-db-root"],
                     [{"name": "default", "macAddress": MACS[0], "masquerade": {}},
                      {"name": "vlan", "macAddress": MACS[1], "model": "e1000e", "bridge": {}}],
                     [{"name": "default", "pod": {}}, {"name": "vlan", "multus": {"networkName": NAD}}],
                     {"cpu": {"sockets": 2, "cores": 2, "threads": 1}, "memory": {"guest": "512Mi"},
                      "firmware": {"bootloader": {"efi": {"secureBoot": False}}}}),
}


def fill(path, size, sparse_file: bool) -> None:
    """Known random extents with holes between them (and the file's full size)."""
    mode = "r+b" if path.exists() else "wb"
    with open(path, mode) as f:
        if sparse_file:
            f.truncate(size)
        for offset in (0, size // 3 + 4096, size - MIB):
            f.seek(offset)
            f.write(os.urandom(MIB // 2))


@pytest.fixture
def source(kube, kube_lab):
    """The two VMs in a new namespace, their claims bound and filled; {claim: blake3}."""
    core, custom = kube
    ns = f"kv-src-{uuid.uuid4().hex[:6]}"
    core.create_namespace({"metadata": {"name": ns}})
    for name, (storage_class, mode, size) in CLAIMS.items():
        core.create_namespaced_persistent_volume_claim(ns, {
            "metadata": {"name": name},
            "spec": {"accessModes": ["ReadWriteOnce"], "storageClassName": storage_class, "volumeMode": mode,
                     "resources": {"requests": {"storage": str(size)}}}})
    hashes = {}
    for name, (_, mode, size) in CLAIMS.items():
        wait_for(lambda n=name: "lab.mtvweb/path" in (core.read_namespaced_persistent_volume_claim(n, ns)
                                                       .metadata.annotations or {}), timeout=30)
        path = claim_file(core, ns, name, mode)
        fill(path, size, sparse_file=mode == "Filesystem")
        hashes[name] = blake3_of(path, size)
    for body in VMS.values():
        custom.create_namespaced_custom_object(*KUBEVIRT, ns, "virtualmachines", body)
    wait_for(lambda: (custom.get_namespaced_custom_object(*KUBEVIRT, ns, "virtualmachines", "kv-web").get("status")
                      or {}).get("printableStatus") == "Running", timeout=30)
    yield ns, hashes
    core.delete_namespace(ns)


@pytest.fixture
def plan(settings, kube_lab, kube, source, people):
    from mappings.models import NetworkMap, NetworkPair, StorageMap, StoragePair
    from plans.models import Plan, PlanVM
    from providers.adapters.openshift.adapter import OpenShiftAdapter
    from providers.adapters.openshift.host import ensure_host_provider

    ns, _ = source
    settings.MTVWEB_KUBECONFIG = kube_lab["admin_kubeconfig"]
    host = ensure_host_provider()
    load(host)
    Provider.objects.filter(pk=host.pk).update(status="Ready")
    host.refresh_from_db()
    vms = [VirtualMachine.objects.get(provider=host, path=f"/{ns}/{name}") for name in VMS]
    nads = {f"{o.data['namespace']}/{o.name}": o.uid for o in InventoryObject.objects.filter(provider=host,
                                                                                            kind="network")}
    classes = {o.uid: o.name for o in InventoryObject.objects.filter(provider=host, kind="storage")}
    network_map = NetworkMap.objects.create(namespace="team-a", name="kv-nets", source_provider=host,
                                            destination_provider=host)
    for network in {n for vm in vms for n in OpenShiftAdapter.nic_networks(vm.data)}:
        multus = network == nads[NAD]
        NetworkPair.objects.create(map=network_map, source_id=network, source_name=NAD if multus else "pod",
                                   destination_type="multus" if multus else "pod",
                                   destination_namespace="mtv-user" if multus else "",
                                   destination_name="vlan-100" if multus else "")
    storage_map = StorageMap.objects.create(namespace="team-a", name="kv-disks", source_provider=host,
                                            destination_provider=host)
    for storage in {s for vm in vms for s in OpenShiftAdapter.disk_storages(vm.data)}:
        StoragePair.objects.create(map=storage_map, source_id=storage, source_name=classes[storage],
                                   storage_class=classes[storage], access_mode="ReadWriteOnce",
                                   volume_mode="Block" if classes[storage] == RBD else "Filesystem")
    target = f"kv-mig-{uuid.uuid4().hex[:6]}"
    plan = Plan.objects.create(namespace="team-a", name="kv-wave", source_provider=host, destination_provider=host,
                               target_namespace=target, network_map=network_map, storage_map=storage_map)
    for vm in vms:
        PlanVM.objects.create(plan=plan, vm_id=vm.uid, name=vm.name)
    yield plan
    kube[0].delete_namespace(target)


def test_two_kubevirt_vms_migrate_cold_between_namespaces(plan, source, people, kube):
    core, custom = kube
    source_ns, hashes = source
    records = {vm.name: VirtualMachine.objects.get(provider=plan.source_provider, path=f"/{source_ns}/{vm.name}")
               for vm in plan.vms.all()}
    web_mac = records["kv-web"].data["nics"][0]["mac"]
    assert web_mac  # from the running VMI: the spec leaves it to KubeVirt
    started = time.monotonic()
    migration = scheduler.run(actions.start(people["admin"], plan), timeout=300)
    runs = {r.name: r for r in migration.vms.all()}
    assert migration.status == RunStatus.SUCCEEDED, {n: (r.phase, r.error, r.log[-3000:]) for n, r in runs.items()}
    print(f"migrated in {time.monotonic() - started:.1f} s")
    ns = plan.target_namespace

    # Every disk's bytes arrived, in the boot order (kv-db boots from root, listed second).
    claims_of = {"kv-web": ["kv-web-root"], "kv-db": ["kv-db-root", "kv-db-data"]}
    for name, run in runs.items():
        assert {s["state"] for s in run.steps} <= {"Completed", "Skipped"}, run.steps
        assert [d["id"] for d in run.disks] == [c.removeprefix(f"{name}-") for c in claims_of[name]]
        for copied, claim in zip(run.disks, claims_of[name], strict=True):
            storage_class, mode, size = CLAIMS[claim]
            assert (copied["storageClass"], copied["volumeMode"], copied["capacity"]) == (storage_class, mode, size)
            target = claim_file(core, ns, copied["claim"], copied["volumeMode"])
            assert blake3_of(target, size) == hashes[claim] == copied["blake3"], (name, claim)

    vms = {name: custom.get_namespaced_custom_object(*KUBEVIRT, ns, "virtualmachines", run.memo["target_name"])
           for name, run in runs.items()}
    assert vms["kv-web"]["spec"]["runStrategy"] == "Always" and vms["kv-db"]["spec"]["runStrategy"] == "Halted"
    web, db = (vms[n]["spec"]["template"]["spec"] for n in ("kv-web", "kv-db"))
    assert [i["macAddress"] for i in web["domain"]["devices"]["interfaces"]] == [web_mac]
    assert web["networks"] == [{"name": "net0", "pod": {}}]
    assert web["domain"]["cpu"]["sockets"] * web["domain"]["cpu"]["cores"] == 2
    assert "bios" in web["domain"]["firmware"]["bootloader"]
    interfaces = db["domain"]["devices"]["interfaces"]
    assert [(i["macAddress"], i["model"]) for i in interfaces] == [(MACS[0], "virtio"), (MACS[1], "e1000e")]
    assert db["networks"] == [{"name": "net0", "pod": {}}, {"name": "net1", "multus": {"networkName": NAD}}]
    assert (db["domain"]["cpu"]["sockets"], db["domain"]["cpu"]["cores"]) == (2, 2)
    assert db["domain"]["memory"]["guest"] == "512Mi" and "efi" in db["domain"]["firmware"]["bootloader"]
    assert [d["disk"]["bus"] for d in db["domain"]["devices"]["disks"]] == ["virtio", "sata"]

    # The source that ran is halted (cold); the readers and their Secrets are gone; the transfer
    # Pods read them by URL, the token only in the target's Secret (now removed too).
    source_web = custom.get_namespaced_custom_object(*KUBEVIRT, source_ns, "virtualmachines", "kv-web")
    assert source_web["spec"]["runStrategy"] == "Halted"
    assert not custom.list_namespaced_custom_object(*KUBEVIRT, source_ns, "virtualmachineinstances")["items"]
    assert not core.list_namespaced_pod(source_ns, label_selector="mtvweb.io/role=reader").items
    assert not [s.metadata.name for s in core.list_namespaced_secret(source_ns).items]
    assert not client.RbacAuthorizationV1Api(core.api_client).list_namespaced_role(source_ns).items
    pods = core.list_namespaced_pod(ns, label_selector="mtvweb.io/role=transfer").items
    assert {p.status.phase for p in pods} == {"Succeeded"} and len(pods) == 3
    for pod in pods:
        command = pod.spec.containers[0].command
        assert command[command.index("--url") + 1].startswith("http://127.0.0.1:")
        # the reader's extents: the claims' holes never crossed the wire
        assert "known zero, not read" in core.read_namespaced_pod_log(pod.metadata.name, ns)
    assert not [s for s in core.list_namespaced_secret(ns).items if s.metadata.name.endswith(f"-{migration.pk}")]


def test_readers_are_found_again_and_released_once(settings, kube_lab, source, kube):
    """A worker that died after starting the readers finds them again (same URLs, same token);
    releasing twice is harmless; a disk that is not on a claim is refused with the reason."""
    from providers.adapters import ProviderError, adapter_for
    from providers.adapters.openshift.host import ensure_host_provider

    core, custom = kube
    source_ns, hashes = source
    settings.MTVWEB_KUBECONFIG = kube_lab["admin_kubeconfig"]
    host = ensure_host_provider()
    live_cd = vm_body("kv-live-cd", "Halted", [disk("root"), disk("tools")], ["kv-db-root", ""], [], [], {})
    live_cd["spec"]["template"]["spec"]["volumes"][1] = {"name": "tools",
                                                         "containerDisk": {"image": "quay.io/example/tools:latest"}}
    custom.create_namespaced_custom_object(*KUBEVIRT, source_ns, "virtualmachines", live_cd)
    load(host)
    vm = VirtualMachine.objects.get(provider=host, path=f"/{source_ns}/kv-db")
    ops = adapter_for(host).operations()
    assert ops.reader_secret() == {}  # at Initialize this instance has not seen the VM yet
    described = ops.describe(vm)
    assert [(d.id, d.capacity, d.bus) for d in described.disks] == [("root", 24 * MIB, "virtio"),
                                                                      ("data", 12 * MIB, "sata")]
    assert not ops.is_powered_on(vm)
    first = ops.prepare_disks(vm, described)
    try:
        header = ops.reader_secret()["SOURCE_TOKEN_HEADER"]
        again = adapter_for(host).operations()
        assert again.prepare_disks(vm, again.describe(vm)) == first
        assert again.reader_secret()["SOURCE_TOKEN_HEADER"] == header
        readers = core.list_namespaced_pod(source_ns, label_selector="mtvweb.io/role=reader").items
        assert len(readers) == 2 and {p.status.phase for p in readers} == {"Running"}
        assert header.split()[-1] not in str([p.spec for p in readers])
        [role] = client.RbacAuthorizationV1Api(core.api_client).list_namespaced_role(source_ns).items
        assert [(r.resource_names, r.verbs) for r in role.rules] == [(["kv-db-reader-0", "kv-db-reader-1"],
                                                                     ["get", "patch"])]
        import requests

        url = first["root"][first["root"].index("--url") + 1]
        assert requests.get(url, timeout=10).status_code == 401
        answer = requests.get(url, headers={"Authorization": header.split(": ", 1)[1], "Range": "bytes=0-9"},
                              timeout=10)
        assert answer.status_code == 206
        assert answer.content == claim_file(core, source_ns, "kv-db-root", "Filesystem").read_bytes()[:10]
    finally:
        ops.release_disks(vm)
    ops.release_disks(vm)
    assert not core.list_namespaced_pod(source_ns, label_selector="mtvweb.io/role=reader").items
    assert not core.list_namespaced_secret(source_ns).items
    assert not client.RbacAuthorizationV1Api(core.api_client).list_namespaced_role(source_ns).items
    live_cd = VirtualMachine.objects.get(provider=host, path=f"/{source_ns}/kv-live-cd")
    with pytest.raises(ProviderError) as refused:
        ops.describe(live_cd)
    assert "tools of kv-live-cd is a containerDisk disk" in str(refused.value)
    assert "restart the migration" in str(refused.value)


def test_a_reader_that_cannot_start_is_reported_and_removed(settings, kube_lab, source, kube):
    from providers.adapters import ProviderError, adapter_for
    from providers.adapters.openshift.host import ensure_host_provider

    core, _ = kube
    source_ns, _ = source
    settings.MTVWEB_KUBECONFIG = kube_lab["admin_kubeconfig"]
    settings.MTVWEB_IMAGE = "registry.example.com/someone/else:1"
    host = ensure_host_provider()
    load(host)
    vm = VirtualMachine.objects.get(provider=host, path=f"/{source_ns}/kv-db")
    ops = adapter_for(host).operations()
    with pytest.raises(ProviderError) as refused:
        ops.prepare_disks(vm, ops.describe(vm))
    assert "reader Pod" in str(refused.value) and "ErrImagePull" in str(refused.value)
    assert "MTVWEB_IMAGE" in str(refused.value)
    assert not core.list_namespaced_pod(source_ns, label_selector="mtvweb.io/role=reader").items
    assert not core.list_namespaced_secret(source_ns).items

"""The default KubeVirt-source rules (providers/validation/policies/openshift) on VMs of the lab
cluster, through both engines: each rule raises its concern on the VM made to trip it and a
plain stopped VM on a PVC gets none.

The VMs are made by each test in a namespace of its own, through the Kubernetes API, and read
by the host provider's inventory the way every other KubeVirt VM is.
"""

import uuid

import pytest
from kubernetes import client, config

from providers.adapters.openshift.host import ensure_host_provider
from providers.models import VirtualMachine
from providers.validation.engines import OpaEngine, RegopyEngine
from tests.providers.helpers import load, wait_for
from tests.validation.conftest import concerns_by_vm, labels

pytestmark = [pytest.mark.lab, pytest.mark.django_db]
KUBEVIRT = ("kubevirt.io", "v1")

RUNNING = "VM is running"
HOST_DISK = "Disk on a host path"
NOT_PVC = "Disk not backed by a PVC"
CONFIG = "Configuration disk"
MISSING = "Disk volume missing"
SHARED = "Shareable disk"
DEVICES = "Host devices attached"
TPM = "Virtual TPM"
NAME = "Invalid VM name"
CATEGORIES = {RUNNING: "Warning", HOST_DISK: "Critical", NOT_PVC: "Warning", CONFIG: "Information",
              MISSING: "Critical", SHARED: "Warning", DEVICES: "Warning", TPM: "Warning", NAME: "Warning"}

ROOT = {"name": "root", "disk": {"bus": "virtio"}}
POD_NIC = {"interfaces": [{"name": "default", "masquerade": {}}], "networks": [{"name": "default", "pod": {}}]}


def claim(name):
    return {"name": "root", "persistentVolumeClaim": {"claimName": name}}


# name → (runStrategy, disks, volumes, extra devices, the concerns it must get)
VMS = {
    "pol-clean": ("Halted", [ROOT], [claim("pol-clean-root")], {}, set()),
    "pol-running": ("Always", [ROOT], [claim("pol-running-root")], {}, {RUNNING}),
    "pol-host-disk": ("Halted", [ROOT, {"name": "legacy", "disk": {"bus": "virtio"}}],
                      [claim("pol-host-disk-root"),
                       {"name": "legacy", "hostDisk": {"path": "/var/lib/legacy/disk.img", "type": "Disk"}}],
                      {}, {HOST_DISK}),
    "pol-ephemeral": ("Halted",
                      [ROOT, {"name": "tools", "cdrom": {"bus": "sata"}}, {"name": "scratch", "disk": {"bus": "virtio"}},
                       {"name": "seed", "disk": {"bus": "virtio"}}],
                      [claim("pol-ephemeral-root"),
                       {"name": "tools", "containerDisk": {"image": "quay.io/example/tools:latest"}},
                       {"name": "scratch", "emptyDisk": {"capacity": "1Gi"}},
                       {"name": "seed", "cloudInitNoCloud": {"userData": "#cloud-config\nhostname: pol\n"}}],
                      {}, {NOT_PVC, CONFIG}),
    "pol-missing-pvc": ("Halted", [ROOT], [claim("pol-nowhere")], {}, {MISSING}),
    "pol-shared": ("Halted", [{"name": "root", "disk": {"bus": "scsi"}, "shareable": True}], [claim("pol-shared-root")],
                   {}, {SHARED}),
    "pol-gpu": ("Halted", [ROOT], [claim("pol-gpu-root")],
                {"gpus": [{"name": "gpu1", "deviceName": "nvidia.com/GV100GL_Tesla_V100"}],
                 "hostDevices": [{"name": "qat1", "deviceName": "intel.com/qat"}]}, {DEVICES}),
    "pol-tpm": ("Halted", [ROOT], [claim("pol-tpm-root")], {"tpm": {}}, {TPM}),
    "pol.dotted-1": ("Halted", [ROOT], [claim("pol-dotted-root")], {}, {NAME}),
}
MENTIONS = {
    ("pol-host-disk", HOST_DISK): "copied): legacy.",
    ("pol-ephemeral", NOT_PVC): "not copied: scratch (emptyDisk), tools (containerDisk).",
    ("pol-ephemeral", CONFIG): "disks: seed (cloudInitNoCloud).",
    ("pol-missing-pvc", MISSING): "fails: root (Missing).",
    ("pol-shared", SHARED): "PVC: root.",
    ("pol-gpu", DEVICES): "GPUs: gpu1 (nvidia.com/GV100GL_Tesla_V100), qat1 (intel.com/qat).",
    ("pol.dotted-1", NAME): "The name 'pol.dotted-1' is not valid",
}


@pytest.fixture
def host(settings, kube_lab):
    settings.MTVWEB_KUBECONFIG = kube_lab["admin_kubeconfig"]
    return ensure_host_provider()


@pytest.fixture
def apis(kube_lab):
    api = config.new_client_from_config(kube_lab["admin_kubeconfig"])
    yield client.CoreV1Api(api), client.CustomObjectsApi(api)
    api.close()


@pytest.fixture
def namespace(apis):
    core, _ = apis
    name = f"t-pol-{uuid.uuid4().hex[:6]}"
    core.create_namespace({"metadata": {"name": name}})
    yield name
    core.delete_namespace(name)


def vm_body(name, run_strategy, disks, volumes, devices):
    return {
        "apiVersion": "kubevirt.io/v1", "kind": "VirtualMachine", "metadata": {"name": name},
        "spec": {"runStrategy": run_strategy, "template": {"spec": {
            "domain": {"devices": {"disks": disks, "interfaces": POD_NIC["interfaces"], **devices},
                       "memory": {"guest": "256Mi"}},
            "networks": POD_NIC["networks"], "volumes": volumes,
        }}},
    }


@pytest.fixture
def source_vms(apis, namespace, host):
    """The VMs of VMS in a new namespace, their PVCs bound, loaded into the host provider's inventory."""
    core, custom = apis
    claims = [v["persistentVolumeClaim"]["claimName"] for _, _, volumes, _, _ in VMS.values() for v in volumes
              if "persistentVolumeClaim" in v and v["persistentVolumeClaim"]["claimName"] != "pol-nowhere"]
    for name in claims:
        core.create_namespaced_persistent_volume_claim(namespace, {
            "metadata": {"name": name},
            "spec": {"accessModes": ["ReadWriteOnce"], "storageClassName": "ocs-storagecluster-ceph-rbd",
                     "resources": {"requests": {"storage": "16Mi"}}}})
    for name, (run_strategy, disks, volumes, devices, _) in VMS.items():
        custom.create_namespaced_custom_object(*KUBEVIRT, namespace, "virtualmachines",
                                               vm_body(name, run_strategy, disks, volumes, devices))
    for name in claims:
        wait_for(lambda n=name: core.read_namespaced_persistent_volume_claim(n, namespace).status.phase == "Bound",
                 timeout=30)
    load(host)
    return host


def concerns_in(namespace, provider, engine) -> dict[str, list[dict]]:
    """The concerns of this test's VMs (other namespaces may hold VMs of the same names)."""
    concerns_by_vm(provider, engine)
    return {vm.name: vm.concerns for vm in VirtualMachine.objects.filter(provider=provider,
                                                                          path__startswith=f"/{namespace}/")}


def test_every_rule_trips_on_its_vm_and_a_plain_vm_gets_none(source_vms, namespace, engine):
    found = concerns_in(namespace, source_vms, engine)
    assert {name: labels(concerns) for name, concerns in found.items()} == {
        name: expected for name, (*_, expected) in VMS.items()}
    assert set(CATEGORIES) == set().union(*(expected for *_, expected in VMS.values())), "a rule without a VM"
    for name, concerns in found.items():
        for concern in concerns:
            assert concern["category"] == CATEGORIES[concern["label"]], (name, concern)
            assert len(concern["assessment"]) > 80, (name, concern)
    for (name, label), text in MENTIONS.items():
        assessment = next(c["assessment"] for c in found[name] if c["label"] == label)
        assert text in assessment, (name, label, assessment)
    levels = dict(VirtualMachine.objects.filter(provider=source_vms, path__startswith=f"/{namespace}/")
                  .values_list("name", "concern_level"))
    assert levels["pol-host-disk"] == levels["pol-missing-pvc"] == VirtualMachine.Concern.CRITICAL
    assert levels["pol-clean"] == 0


def test_both_engines_give_the_same_concerns(source_vms, namespace, opa_url):
    assert concerns_in(namespace, source_vms, RegopyEngine()) == concerns_in(namespace, source_vms, OpaEngine(opa_url))

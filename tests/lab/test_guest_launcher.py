"""The lab's KubeVirt boots a VM whose claim holds a real guest: QEMU with the VM's devices, the
serial console as the virt-launcher Pod's log, Running only once the guest says it is up."""

import subprocess
import time
import uuid

import pytest
from kubernetes import client, config
from kubernetes.client.exceptions import ApiException

from lab import guest

pytestmark = pytest.mark.lab

KUBEVIRT = ("kubevirt.io", "v1")
BOOT_LIMIT = 480  # a boot takes ~1 min on an idle machine under TCG; the suite loads it
MAC = "00:50:56:3e:00:42"


def wait_for(check, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if found := check():
            return found
        time.sleep(1)
    raise AssertionError(f"{what} not reached within {timeout}s")


@pytest.fixture(scope="module")
def admin(kube_lab):
    return config.new_client_from_config(kube_lab["admin_kubeconfig"])


@pytest.fixture
def namespace(admin):
    core = client.CoreV1Api(admin)
    name = f"guest-{uuid.uuid4().hex[:6]}"
    core.create_namespace({"metadata": {"name": name}})
    yield name
    core.delete_namespace(name)


def claim_with_guest(core, ns, name, image):
    """A Block claim whose bytes are the guest's raw disk (written where the lab keeps the volume)."""
    core.create_namespaced_persistent_volume_claim(ns, {
        "metadata": {"name": name},
        "spec": {"accessModes": ["ReadWriteOnce"], "volumeMode": "Block",
                 "resources": {"requests": {"storage": "2Gi"}}},
    })
    pvc = wait_for(lambda: (c := core.read_namespaced_persistent_volume_claim(name, ns)).status.phase == "Bound"
                   and c, 60, "claim bound")
    pv = core.read_persistent_volume(pvc.spec.volume_name)
    target = pv.metadata.annotations["lab.mtvweb/path"]
    subprocess.run(["cp", "--sparse=always", str(image), target], check=True)


def start_vm(custom, ns, name, bus, claim, efi=False):
    custom.create_namespaced_custom_object(*KUBEVIRT, ns, "virtualmachines", {
        "apiVersion": "kubevirt.io/v1", "kind": "VirtualMachine", "metadata": {"name": name},
        "spec": {"runStrategy": "Always", "template": {"spec": {
            "domain": {
                "cpu": {"cores": 1}, "memory": {"guest": "512Mi"},
                "firmware": {"bootloader": {"efi": {"secureBoot": False}} if efi else {"bios": {}}},
                "devices": {"disks": [{"name": "root", "disk": {"bus": bus}, "bootOrder": 1}],
                            "interfaces": [{"name": "default", "model": "virtio", "macAddress": MAC,
                                            "masquerade": {}}]},
            },
            "networks": [{"name": "default", "pod": {}}],
            "volumes": [{"name": "root", "persistentVolumeClaim": {"claimName": claim}}],
        }}},
    })


def vmi_phase(custom, ns, name, phases):
    try:
        vmi = custom.get_namespaced_custom_object(*KUBEVIRT, ns, "virtualmachineinstances", name)
    except ApiException as exc:
        if exc.status == 404:
            return None
        raise
    return vmi if (vmi.get("status") or {}).get("phase") in phases else None


def launcher_log(core, ns, vmi):
    [pod] = core.list_namespaced_pod(ns, label_selector=f"kubevirt.io/created-by={vmi['metadata']['uid']}").items
    assert pod.spec.containers[0].name == "compute"
    return core.read_namespaced_pod_log(pod.metadata.name, ns, container="compute")


def test_guest_on_sata_boots_and_on_virtio_fails_with_the_root_not_found(admin, namespace):
    core, custom = client.CoreV1Api(admin), client.CustomObjectsApi(admin)
    disks = guest.disks()
    for bus in ("sata", "virtio"):  # all three boot at once: the test waits for the slowest
        claim_with_guest(core, namespace, f"disk-{bus}", disks["bios"])
        start_vm(custom, namespace, f"guest-{bus}", bus, f"disk-{bus}")
    claim_with_guest(core, namespace, "disk-uefi", disks["uefi"])
    start_vm(custom, namespace, "guest-uefi", "sata", "disk-uefi", efi=True)

    sata = wait_for(lambda: vmi_phase(custom, namespace, "guest-sata", {"Running", "Failed"}), BOOT_LIMIT,
                    "guest on SATA Running")
    assert sata["status"]["phase"] == "Running", sata["status"]
    assert f"MTVWEB-GUEST-READY macs={MAC}" in launcher_log(core, namespace, sata)
    assert [i["mac"] for i in sata["status"]["interfaces"]] == [MAC]
    vm = custom.get_namespaced_custom_object(*KUBEVIRT, namespace, "virtualmachines", "guest-sata")
    assert vm["status"]["printableStatus"] == "Running"

    virtio = wait_for(lambda: vmi_phase(custom, namespace, "guest-virtio", {"Running", "Failed"}), BOOT_LIMIT,
                      "guest on virtio Failed")
    assert virtio["status"]["phase"] == "Failed"
    message = virtio["status"]["conditions"][0]["message"]
    assert "Gave up waiting for root file system device" in message
    assert "does not exist.  Dropping to a shell!" in message
    assert "MTVWEB-GUEST-READY" not in launcher_log(core, namespace, virtio)
    vm = custom.get_namespaced_custom_object(*KUBEVIRT, namespace, "virtualmachines", "guest-virtio")
    assert vm["status"]["printableStatus"] == "Stopped" and vm["status"]["ready"] is False

    uefi = wait_for(lambda: vmi_phase(custom, namespace, "guest-uefi", {"Running", "Failed"}), BOOT_LIMIT,
                    "UEFI guest Running")
    assert uefi["status"]["phase"] == "Running", uefi["status"]
    log = launcher_log(core, namespace, uefi)
    assert "OVMF_CODE" in log.splitlines()[0]  # booted by the firmware, from the disk's ESP
    assert f"MTVWEB-GUEST-READY macs={MAC}" in log

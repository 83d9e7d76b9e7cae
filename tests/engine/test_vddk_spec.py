"""The vSphere VDDK data path as the engine builds it (no lab: the lab has no VDDK): with a VDDK
init image the transfer Pod gets the image as an init container, a shared /opt, and nbdkit's
vddk plugin arguments; without one, the datastore HTTPS arguments as before. The password is
never in the Pod (only in its Secret)."""

from __future__ import annotations

import json
from dataclasses import asdict

import pytest

from plans.engine import objects
from providers.adapters import ProviderError, adapter_for
from providers.adapters.source import DiskSource, SourceVM
from providers.models import Provider, VirtualMachine

PASSWORD = "vc-Passw0rd-Zq8"
THUMBPRINT = "3B:6E:01:A2:B4:C5:D6:E7:F8:09:1A:2B:3C:4D:5E:6F:70:81:92:A1"
IMAGE = "registry.example.com/team-a/vddk:8.0.2"


@pytest.fixture
def provider(db):
    provider = Provider(namespace="team-a", name="vcenter", type="vsphere", status="Ready",
                        url="https://vcenter.example.com/sdk", settings={"vddkInitImage": IMAGE})
    provider.set_credentials({"user": "migrator@vsphere.local", "password": PASSWORD, "thumbprint": THUMBPRINT})
    provider.save()
    return provider


@pytest.fixture
def vm(provider):
    disks = [{"key": 2000, "capacity": 10 * 2**30, "file": "[datastore1] web-1/web-1.vmdk",
              "datastore": {"id": "datastore-11"}, "bus": "scsi"},
             {"key": 2001, "capacity": 2**30, "file": "[SAN 2] web-1/web-1_1.vmdk",
              "datastore": {"id": "datastore-12"}, "bus": "sata"}]
    return VirtualMachine.objects.create(provider=provider, uid="vm-42", name="web-1", digest="x", path="/DC0/vm/web-1",
                                         data={"disks": disks, "nics": [], "cpuCount": 2, "memoryMB": 2048})


def pod_for(disk: DiskSource, mode: str = "Filesystem") -> dict:
    return objects.transfer_pod("web-1-disk-0", "web-1-disk-0", mode, disk, "web-1-source", {"mtvweb.io/plan": "1"})


def nbdkit_args(command: list[str]) -> dict[str, str]:
    return dict(command[i + 1].split("=", 1) for i, word in enumerate(command) if word == "--nbdkit-arg")


def described(provider, vm) -> SourceVM:
    """As the engine keeps it: through asdict and back (context.py)."""
    data = asdict(adapter_for(provider).operations().describe(vm))
    data["disks"] = [DiskSource(**d) for d in data["disks"]]
    return SourceVM(**data)


@pytest.mark.parametrize("mode", ["Filesystem", "Block"])
def test_vddk_provider_gets_init_container_shared_opt_and_nbdkit_vddk(provider, vm, mode):
    source = described(provider, vm)
    pods = [pod_for(disk, mode) for disk in source.disks]
    for pod, (ds, path) in zip(pods, [("datastore1", "web-1/web-1.vmdk"), ("SAN 2", "web-1/web-1_1.vmdk")],
                               strict=True):
        spec = pod["spec"]
        (init,) = spec["initContainers"]
        assert init["image"] == IMAGE and "command" not in init  # the image's own entrypoint copies the library
        assert init["volumeMounts"] == [{"name": "vddk", "mountPath": "/opt"}]
        assert {"name": "vddk", "emptyDir": {}} in spec["volumes"]
        (container,) = spec["containers"]
        # the library's directory only: the image's venv is in /opt
        assert {"name": "vddk", "mountPath": "/opt/vmware-vix-disklib-distrib",
                "subPath": "vmware-vix-disklib-distrib"} in container["volumeMounts"]
        command = container["command"]
        assert command[command.index("--source-kind") + 1] == "nbdkit"
        assert command[command.index("--nbdkit-plugin") + 1] == "vddk"
        assert nbdkit_args(command) == {
            "libdir": "/opt/vmware-vix-disklib-distrib", "server": "vcenter.example.com",
            "user": "migrator@vsphere.local", "thumbprint": THUMBPRINT, "vm": "moref=vm-42",
            "file": f"[{ds}] {path}"}
        assert "--url" not in command and "--thumbprint" not in command
        assert container["envFrom"] == [{"secretRef": {"name": "web-1-source"}}]  # SOURCE_PASSWORD
        # the target is still where it was
        if mode == "Block":
            assert container["volumeDevices"] == [{"name": "target", "devicePath": "/dev/target"}]
        else:
            assert {"name": "target", "mountPath": "/target"} in container["volumeMounts"]
        assert PASSWORD not in json.dumps(pod)
    assert PASSWORD not in json.dumps(asdict(source))  # what the engine keeps in the migration's memo
    assert adapter_for(provider).operations().reader_secret()["SOURCE_PASSWORD"] == PASSWORD  # ... goes to the Secret only


def test_without_a_vddk_image_disks_are_read_over_https_as_before(provider, vm):
    provider.settings = {}
    provider.save()
    source = described(provider, vm)
    pod = pod_for(source.disks[1])
    spec = pod["spec"]
    assert "initContainers" not in spec
    assert spec["volumes"] == [{"name": "target", "persistentVolumeClaim": {"claimName": "web-1-disk-0"}}]
    assert source.disks[1].reader_args == [
        "--source-kind", "http",
        "--url", "https://vcenter.example.com:443/folder/web-1/web-1_1-flat.vmdk?dcPath=DC0&dsName=SAN%202",
        "--thumbprint", THUMBPRINT]
    command, args = spec["containers"][0]["command"], source.disks[1].reader_args
    assert any(command[i:i + len(args)] == args for i in range(len(command)))
    assert source.disks[1].init_containers == [] and source.disks[1].volumes == []
    assert PASSWORD not in json.dumps(pod)


def test_vddk_without_a_thumbprint_says_what_to_do(provider, vm):
    provider.set_credentials({"user": "migrator@vsphere.local", "password": PASSWORD})
    provider.save()
    with pytest.raises(ProviderError, match="VDDK needs the SHA-1 thumbprint"):
        adapter_for(provider).operations().describe(vm)

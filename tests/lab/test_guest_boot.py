"""The lab's real guests on the host's QEMU (TCG), booted by their own bootloader: on the same
virtio disk, the guest with virtio drivers boots and the VMware one cannot find its root — the
initramfs alone makes the difference, which is what later proves a conversion did its job.
(BIOS and UEFI on SATA, through the lab's KubeVirt: test_guest_launcher.py.)"""

import subprocess
import time

import pytest

from lab import guest
from lab.kube.simulator.launcher import OVMF_VARS, Console, qemu_command

pytestmark = pytest.mark.lab

MAC = "52:54:00:12:34:56"
BOOT_LIMIT = 420  # TCG under a loaded 2-core machine; a boot takes ~50-75 s idle


@pytest.fixture(scope="module")
def disks():
    return guest.disks()


def start(tmp_path, name, image, bus, efi=False):
    """QEMU as the lab's virt-launcher runs it; the disk is read through a snapshot overlay."""
    machine = {"cpus": 1, "memory_mib": 512, "efi": efi, "nics": [{"model": "virtio", "mac": MAC}]}
    vars_file = tmp_path / f"{name}.vars"
    if efi:
        vars_file.write_bytes(open(OVMF_VARS, "rb").read())
    argv = qemu_command({"machine": machine, "disks": [{"path": str(image), "bus": bus}]}, str(vars_file))
    argv = [a + ",snapshot=on" if a.startswith("file=") else a for a in argv]
    log = tmp_path / f"{name}.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT)
    return proc, log


def outcome(proc, log):
    """Wait until the console shows the marker or a guest that will not boot."""
    deadline = time.monotonic() + BOOT_LIMIT
    started = time.monotonic()
    try:
        while time.monotonic() < deadline:
            console = Console(log.read_text(errors="replace"))
            if console.marker or console.fatal or proc.poll() is not None:
                return console, time.monotonic() - started
            time.sleep(0.5)
        raise AssertionError(f"no outcome in {BOOT_LIMIT}s:\n{console.last_lines()}")
    finally:
        proc.kill()
        proc.wait()


def test_on_virtio_the_virtio_guest_boots_and_the_vmware_guest_does_not_find_its_root(disks, tmp_path):
    # Both at once: the suite waits for the slower, not for the sum.
    runs = {
        "virtio-virtio": start(tmp_path, "virtio-virtio", disks["virtio"], "virtio"),
        "bios-virtio": start(tmp_path, "bios-virtio", disks["bios"], "virtio"),
    }
    results = {name: outcome(*run) for name, run in runs.items()}
    console, seconds = results["virtio-virtio"]
    assert console.macs == [MAC], f"virtio guest after {seconds:.0f}s:\n{console.last_lines()}"
    console, _ = results["bios-virtio"]
    assert console.marker is None
    assert "Gave up waiting for root file system device" in console.last_lines(40)
    assert "does not exist.  Dropping to a shell!" in console.fatal


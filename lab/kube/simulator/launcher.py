"""virt-launcher for VMs whose disks hold a real guest: QEMU (TCG) with the VMI's devices.

The VM controller (vms.py, through guestboot.py) asks `bootable()` whether a VMI's first disk
holds a guest (an MBR with boot code, or a GPT with an EFI system partition). If so, it creates a
virt-launcher Pod (`launcher_pod()`) that the Pod runner starts like any other: its container runs
`python -m lab.kube.simulator.launcher`, which runs QEMU with the serial console on stdout, so the
console is the Pod's log. The VMI goes Running once the guest's marker line appears there; the
launcher ends (Pod Failed) when the guest stops in its initramfs, panics, finds nothing to boot, or
the boot limit passes, and the VMI fails with the console's last lines. Disks without a guest keep
the fast path (no QEMU).

Lab limits: KVM is never used (nested KVM hangs here), memory is capped (MAX_MEMORY_MIB) and so
are vCPUs (MAX_CPUS); the NICs are QEMU user-mode networks with no route out.
"""

from __future__ import annotations

import ctypes
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from lab.guest.content import MARKER

MAX_MEMORY_MIB = int(os.environ.get("MTVWEB_LAB_GUEST_MEMORY_MIB", "1024"))
MAX_CPUS = 2
BOOT_TIMEOUT = float(os.environ.get("MTVWEB_LAB_GUEST_BOOT_TIMEOUT", "300"))
CONTAINER = "compute"
SPEC_ENV = "LAB_LAUNCHER_SPEC"
TIMEOUT_ENV = "LAB_LAUNCHER_BOOT_TIMEOUT"
IMAGE = "quay.io/mtvweb/mtvweb:latest"  # the project's image: the lab's Pod runner runs it
DISK_DIR = "/var/run/kubevirt-private/vmi-disks"
OVMF_CODE = "/usr/share/OVMF/OVMF_CODE_4M.fd"
OVMF_VARS = "/usr/share/OVMF/OVMF_VARS_4M.fd"
ESP_TYPE = bytes.fromhex("28732ac11ff8d211ba4b00a0c93ec93b")  # C12A7328-F81F-11D2-BA4B-00A0C93EC93B
# What a guest prints when it will never reach multi-user on these devices.
FATAL_LINES = re.compile(r"Dropping to a shell|Kernel panic|No bootable device|Boot failed", re.IGNORECASE)
READY_LINE = re.compile(re.escape(MARKER) + r" macs=([0-9a-f:,]*)")
NIC_MODELS = {"virtio": "virtio-net-pci", "e1000": "e1000", "e1000e": "e1000e", "rtl8139": "rtl8139"}


def bootable(image: Path) -> bool:
    """A disk a firmware would boot: MBR boot code + signature, or a GPT with an ESP."""
    try:
        with open(image, "rb") as f:
            head = f.read(34 * 512)
    except OSError:
        return False
    if len(head) < 1024 or head[510:512] != b"\x55\xaa":
        return False
    if head[512:520] == b"EFI PART":
        entries_lba = int.from_bytes(head[512 + 72:512 + 80], "little")
        count = int.from_bytes(head[512 + 80:512 + 84], "little")
        size = int.from_bytes(head[512 + 84:512 + 88], "little")
        with open(image, "rb") as f:
            f.seek(entries_lba * 512)
            table = f.read(min(count, 128) * size)
        if any(table[i:i + 16] == ESP_TYPE for i in range(0, len(table), size or 128)):
            return True
    return any(head[:440])


def claim_image(path: Path) -> Path:
    """The raw image of a claim: the Block volume's file, or disk.img in a Filesystem volume."""
    return path / "disk.img" if path.is_dir() else path


def _claim_name(volume: dict) -> str | None:
    if "persistentVolumeClaim" in volume:
        return volume["persistentVolumeClaim"]["claimName"]
    if "dataVolume" in volume:
        return volume["dataVolume"]["name"]
    return None


def boot_disks(vmi_spec: dict) -> list[dict]:
    """The VMI's claim-backed disks in boot order: {name, claim, bus}."""
    claims = {v["name"]: _claim_name(v) for v in vmi_spec.get("volumes") or []}
    disks = []
    for index, disk in enumerate(vmi_spec["domain"].get("devices", {}).get("disks") or []):
        if "disk" not in disk or not claims.get(disk["name"]):
            continue  # cdroms, cloud-init, container disks: not part of a migrated VM here
        order = disk.get("bootOrder") or 1000 + index
        disks.append({"name": disk["name"], "claim": claims[disk["name"]],
                      "bus": disk["disk"].get("bus", "virtio"), "order": order})
    return sorted(disks, key=lambda d: d["order"])


_UNITS = {"Ki": 2 ** 10, "Mi": 2 ** 20, "Gi": 2 ** 30, "Ti": 2 ** 40, "K": 10 ** 3, "M": 10 ** 6,
          "G": 10 ** 9, "T": 10 ** 12, "": 1}


def _mib(quantity: str | None) -> int | None:
    match = re.fullmatch(r"(\d+)(Ki|Mi|Gi|Ti|K|M|G|T)?", str(quantity or ""))
    return int(match.group(1)) * _UNITS[match.group(2) or ""] // 2 ** 20 if match else None


def machine(vmi_spec: dict) -> dict:
    """What QEMU gets from the VMI spec (firmware, CPUs, memory, NICs), capped for the lab."""
    domain = vmi_spec["domain"]
    cpu = domain.get("cpu") or {}
    cpus = (cpu.get("cores") or 1) * (cpu.get("sockets") or 1) * (cpu.get("threads") or 1)
    memory = _mib((domain.get("memory") or {}).get("guest")) or _mib(
        ((domain.get("resources") or {}).get("requests") or {}).get("memory")) or 512
    firmware = domain.get("firmware") or {}
    efi = "efi" in (firmware.get("bootloader") or {})
    nics = [{"model": i.get("model", "virtio"), "mac": i.get("macAddress")}
            for i in domain.get("devices", {}).get("interfaces") or []]
    return {"cpus": max(1, min(cpus, MAX_CPUS)), "memory_mib": max(256, min(memory, MAX_MEMORY_MIB)),
            "efi": efi, "nics": nics}


def qemu_command(spec: dict, vars_file: str | None = None) -> list[str]:
    """QEMU's command line for a launcher spec ({machine, disks: [{path, bus}]})."""
    m = spec["machine"]
    argv = ["qemu-system-x86_64", "-machine", "q35,accel=tcg", "-cpu", "max", "-smp", str(m["cpus"]),
            "-m", f"{m['memory_mib']}M", "-nodefaults", "-no-user-config", "-display", "none",
            "-chardev", "stdio,id=console,signal=off", "-serial", "chardev:console", "-monitor", "none"]
    if m["efi"]:
        argv += ["-drive", f"if=pflash,format=raw,unit=0,readonly=on,file={OVMF_CODE}",
                 "-drive", f"if=pflash,format=raw,unit=1,file={vars_file}"]
    scsi = False
    for index, disk in enumerate(spec["disks"]):
        drive = f"disk{index}"
        argv += ["-drive", f"file={disk['path']},format=raw,if=none,id={drive},cache=unsafe"]
        boot = f"bootindex={index + 1}"
        if disk["bus"] == "sata":
            argv += ["-device", f"ide-hd,bus=ide.{index},drive={drive},{boot}"]
        elif disk["bus"] == "scsi":
            if not scsi:
                argv += ["-device", "virtio-scsi-pci,id=scsi0"]
                scsi = True
            argv += ["-device", f"scsi-hd,bus=scsi0.0,drive={drive},{boot}"]
        else:
            argv += ["-device", f"virtio-blk-pci,drive={drive},{boot}"]
    for index, nic in enumerate(m["nics"]):
        device = f"{NIC_MODELS.get(nic['model'], 'virtio-net-pci')},netdev=net{index}"
        if nic["mac"]:
            device += f",mac={nic['mac']}"
        argv += ["-netdev", f"user,id=net{index},restrict=on", "-device", device]
    return argv


def launcher_pod(vmi: dict, node: str, disks: list[dict], claims_block: dict[str, bool]) -> dict:
    """The virt-launcher Pod of a guest-booting VMI (owned by it, so it goes with the VMI)."""
    meta = vmi["metadata"]
    mounts, devices, spec_disks = [], [], []
    for disk in disks:
        if claims_block[disk["claim"]]:
            path = f"/dev/{disk['name']}"
            devices.append({"name": disk["name"], "devicePath": path})
        else:
            mounts.append({"name": disk["name"], "mountPath": f"{DISK_DIR}/{disk['name']}"})
            path = f"{DISK_DIR}/{disk['name']}/disk.img"
        spec_disks.append({"path": path, "bus": disk["bus"]})
    spec = {"machine": machine(vmi["spec"]), "disks": spec_disks}
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "generateName": f"virt-launcher-{meta['name']}-",
            "namespace": meta["namespace"],
            "labels": {"kubevirt.io": "virt-launcher", "vm.kubevirt.io/name": meta["name"],
                       "kubevirt.io/created-by": meta["uid"]},
            "ownerReferences": [{"apiVersion": "kubevirt.io/v1", "kind": "VirtualMachineInstance",
                                 "name": meta["name"], "uid": meta["uid"], "controller": True,
                                 "blockOwnerDeletion": True}],
        },
        "spec": {
            "nodeName": node,
            "restartPolicy": "Never",
            "terminationGracePeriodSeconds": 5,
            "containers": [{
                "name": CONTAINER, "image": IMAGE,
                "command": ["python", "-m", "lab.kube.simulator.launcher"],
                "env": [{"name": SPEC_ENV, "value": json.dumps(spec)},
                        {"name": TIMEOUT_ENV, "value": str(BOOT_TIMEOUT)}],
                "resources": {"requests": {"cpu": "100m", "memory": "64Mi"}},
                "volumeMounts": mounts, "volumeDevices": devices,
            }],
            "volumes": [{"name": d["name"], "persistentVolumeClaim": {"claimName": d["claim"]}} for d in disks],
        },
    }


class Console:
    """What a launcher's log says about the boot: ready (marker seen), failed, or still booting."""

    def __init__(self, text: str):
        self.lines = [line.rstrip("\r") for line in text.replace("\r\n", "\n").split("\n")]

    @property
    def marker(self) -> str | None:
        """The guest's ready line (the kernel may have written on the same console line before it)."""
        return next((found.group(0) for line in self.lines if (found := READY_LINE.search(line))), None)

    @property
    def macs(self) -> list[str]:
        marker = self.marker
        return [m for m in READY_LINE.search(marker).group(1).split(",") if m] if marker else []

    @property
    def fatal(self) -> str | None:
        return next((line for line in self.lines if FATAL_LINES.search(line)), None)

    def last_lines(self, count: int = 15) -> str:
        printable = [re.sub(r"\x1b\[[0-9;?]*[A-Za-z]|[^\x20-\x7e]", "", line) for line in self.lines]
        return "\n".join([line for line in printable if line.strip()][-count:])


def _supervise(argv: list[str], timeout: float) -> int:
    """Run QEMU, pass its console through to stdout (the Pod's log), and stop it when the guest
    cannot boot: KubeVirt's launcher would keep such a domain running, the lab ends the Pod
    (Failed) so the VMI fails with the console's last lines instead of hanging."""
    qemu = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            preexec_fn=_die_with_parent)
    signal.signal(signal.SIGTERM, lambda *_: qemu.terminate())
    try:
        return _follow(qemu, timeout)
    finally:
        if qemu.poll() is None:
            qemu.kill()
            qemu.wait()


def _die_with_parent() -> None:
    """QEMU goes when the launcher goes, however it ends (PR_SET_PDEATHSIG)."""
    ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL, 0, 0, 0)


def _follow(qemu: subprocess.Popen, timeout: float) -> int:
    deadline = time.monotonic() + timeout
    seen, pending, ready = "", b"", False
    os.set_blocking(qemu.stdout.fileno(), False)
    while True:
        chunk = qemu.stdout.read(65536)
        if chunk:
            sys.stdout.buffer.write(chunk)
            sys.stdout.buffer.flush()
            pending = (pending + chunk)[-65536:]
            seen = pending.decode(errors="replace")
            ready = ready or Console(seen).marker is not None
        elif qemu.poll() is not None:
            return qemu.returncode if ready else max(qemu.returncode, 1)
        else:
            time.sleep(0.2)
        fatal = None if ready else Console(seen).fatal
        if fatal or (not ready and time.monotonic() > deadline):
            reason = f"the guest stopped booting: {fatal}" if fatal else f"the guest was not ready within {timeout:.0f}s"
            print(f"\nvirt-launcher: {reason}", flush=True)
            qemu.terminate()
            qemu.wait()
            return 1


def main() -> None:
    spec = json.loads(os.environ[SPEC_ENV])
    vars_file = None
    if spec["machine"]["efi"]:
        vars_file = "/tmp/OVMF_VARS.fd"  # the Pod's own /tmp: a fresh NVRAM per boot
        shutil.copyfile(OVMF_VARS, vars_file)
    argv = qemu_command(spec, vars_file)
    print("virt-launcher: " + " ".join(argv), flush=True)
    sys.exit(_supervise(argv, float(os.environ.get(TIMEOUT_ENV, BOOT_TIMEOUT))))


if __name__ == "__main__":
    main()

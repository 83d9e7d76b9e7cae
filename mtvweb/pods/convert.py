"""Entry point of the conversion Pod:

    python -m mtvweb.pods.convert --name N --firmware bios|efi --memory-mib M --vcpus C [--mac MAC…] --disks PATH…

As Forklift's virt-v2v image does for an in-place conversion, it writes the VM's libvirt description
(its disks as this Pod sees them: a Filesystem claim's `disk.img`, a Block claim's device; firmware,
memory, CPUs and NICs from the source inventory) and runs `virt-v2v-in-place -i libvirtxml` over
it: virtio drivers, initramfs, bootloader and fstab made ready for KubeVirt.

libguestfs runs its appliance with the direct backend, on KVM when a short probe of /dev/kvm boots
a guest (nested KVM can hang, hence the timeout), else emulated (TCG, several times slower).

Everything virt-v2v prints goes to the Pod's log; the termination message is JSON for the engine:
`{"converted": true, "changes": [lines]}` or `{"converted": false, "reason": virt-v2v's own}`.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import stat
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET

KVM_PROBE_SECONDS = 20
# What virt-v2v says it did to the guest (with -v it shows the commands it runs inside the guest).
CHANGE = re.compile(r"initramfs|initrd|dracut|mkinitrd|grub|bootloader|fstab|virtio|driver|vmware.?tools|"
                    r"open-vm-tools|Converting .* to run on KVM|This guest has", re.IGNORECASE)
NOISE = re.compile(r"^(libguestfs: trace:|libguestfs: (?!error)|guestfsd: (?!error)|supermin:|\s*$|\[\s*[0-9.]+\] "
                   r"(?!Converting))")
MAX_CHANGES = 40


def disk_file(path: str) -> tuple[str, str]:
    """(path, "file" | "block"): a Filesystem claim holds disk.img (given as the file or as the
    claim's directory); a Block claim is the device itself."""
    if os.path.isdir(path):
        path = os.path.join(path, "disk.img")
    return path, "block" if os.path.exists(path) and stat.S_ISBLK(os.stat(path).st_mode) else "file"


def domain_xml(name: str, firmware: str, memory_mib: int, vcpus: int, disks: list[tuple[str, str]],
               macs: list[str] = ()) -> str:
    """The libvirt domain virt-v2v reads with `-i libvirtxml`: raw disks in order (the first is
    the one the guest boots from), the firmware it boots with, and its NICs' MACs."""
    domain = ET.Element("domain", type="kvm")
    ET.SubElement(domain, "name").text = name
    ET.SubElement(domain, "memory", unit="MiB").text = str(memory_mib)
    ET.SubElement(domain, "vcpu").text = str(vcpus)
    os_element = ET.SubElement(domain, "os", **({"firmware": "efi"} if firmware == "efi" else {}))
    ET.SubElement(os_element, "type", arch="x86_64").text = "hvm"
    devices = ET.SubElement(domain, "devices")
    for index, (path, kind) in enumerate(disks):
        disk = ET.SubElement(devices, "disk", type=kind, device="disk")
        ET.SubElement(disk, "driver", name="qemu", type="raw")
        ET.SubElement(disk, "source", **({"file": path} if kind == "file" else {"dev": path}))
        ET.SubElement(disk, "target", dev=f"sd{chr(ord('a') + index)}", bus="scsi")
    for mac in macs:
        nic = ET.SubElement(devices, "interface", type="network")
        ET.SubElement(nic, "mac", address=mac)
        ET.SubElement(nic, "source", network="default")
    return ET.tostring(domain, encoding="unicode")


def probe_image(directory: str) -> str:
    """A boot sector that writes to QEMU's debug-exit port at once: QEMU then exits with 3."""
    code = bytes([0xB0, 0x01, 0xE6, 0xF4, 0xF4, 0xEB, 0xFD])  # mov al,1; out 0xf4,al; hlt; jmp $-1
    path = os.path.join(directory, "kvm-probe.img")
    with open(path, "wb") as f:
        f.write(code + bytes(510 - len(code)) + b"\x55\xaa")
    return path


def kvm_works(directory: str, timeout: float = KVM_PROBE_SECONDS) -> bool:
    """Whether a guest boots on /dev/kvm here: QEMU runs a boot sector that exits at once."""
    if not os.access("/dev/kvm", os.R_OK | os.W_OK):
        return False
    # -cpu host as libguestfs runs it: a nested KVM may boot a plain CPU model yet fail on the host's.
    command = ["qemu-system-x86_64", "-accel", "kvm", "-cpu", "host", "-display", "none", "-nodefaults", "-no-reboot", "-m", "16",
               "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04",
               "-drive", f"file={probe_image(directory)},format=raw,if=ide", "-boot", "c"]
    try:
        return subprocess.run(command, capture_output=True, timeout=timeout, check=False).returncode == 3
    except (subprocess.TimeoutExpired, OSError):
        return False


def libguestfs_environment(directory: str, kvm: bool) -> dict:
    env = {**os.environ, "LIBGUESTFS_BACKEND": "direct", "TMPDIR": directory, "LIBGUESTFS_CACHEDIR": directory}
    if kvm:
        env.pop("LIBGUESTFS_BACKEND_SETTINGS", None)
    else:
        env["LIBGUESTFS_BACKEND_SETTINGS"] = "force_tcg"
    return env


def failure_reason(lines: list[str], returncode: int) -> str:
    """virt-v2v's own words: its error line, and the sentence that says why when one follows
    (e.g. "No root device found in this operating system image.")."""
    for index, line in enumerate(lines):
        if match := re.search(r"virt-v2v(?:-in-place)?: error: (.*)", line):
            reason = [match[1].strip()]
            for after in lines[index + 1:index + 12]:
                if after.startswith(("If reporting bugs", "virt-v2v")) or "run virt-v2v with" in after:
                    break
                if re.search(r"no root device|not found|cannot|could not|unsupported|failed", after, re.IGNORECASE):
                    reason.append(after.strip())
            return " ".join(reason)
    tail = [line.strip() for line in lines if line.strip()][-1:]
    return f"virt-v2v-in-place exited with {returncode}" + (f": {tail[0]}" if tail else "")


def changes(lines: list[str]) -> list[str]:
    seen, found = set(), []
    for line in lines:
        text = line.strip()
        if CHANGE.search(text) and not NOISE.match(line) and text not in seen:
            seen.add(text)
            found.append(text)
    return found[:MAX_CHANGES]


def run(command: list[str], env: dict) -> tuple[int, list[str]]:
    """Run it with its output passed on to the Pod's log as it comes, and kept."""
    lines = []
    with subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                          errors="replace") as process:
        for line in process.stdout:
            sys.stdout.write(line)
            lines.append(line.rstrip("\n"))
    sys.stdout.flush()
    return process.returncode, lines


def main(argv=None) -> int:
    work = tempfile.mkdtemp(prefix="convert-", dir=os.environ.get("MTVWEB_CONVERT_WORK") or None)
    try:
        return convert(argv, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)  # the appliance alone is some 600 MB


def convert(argv, work: str) -> int:
    parser = argparse.ArgumentParser(prog="python -m mtvweb.pods.convert")
    parser.add_argument("--name", required=True)
    parser.add_argument("--firmware", choices=["bios", "efi"], default="bios")
    parser.add_argument("--memory-mib", type=int, default=2048)
    parser.add_argument("--vcpus", type=int, default=1)
    parser.add_argument("--mac", action="append", default=[])
    parser.add_argument("--no-kvm", action="store_true", help="emulate (TCG) without probing /dev/kvm")
    parser.add_argument("--disks", nargs="+", required=True)
    args = parser.parse_args(argv)
    disks = [disk_file(p) for p in args.disks]
    started = time.monotonic()
    kvm = not args.no_kvm and kvm_works(work)
    print(f"libguestfs runs on {'KVM' if kvm else 'TCG (emulated: no /dev/kvm that boots a probe guest)'}", flush=True)
    description = os.path.join(work, f"{args.name}.xml")
    with open(description, "w") as f:
        f.write(domain_xml(args.name, args.firmware, args.memory_mib, args.vcpus, disks, args.mac))
    command = ["virt-v2v-in-place", "-v", "--root", "first", "-i", "libvirtxml", description]
    print("running " + " ".join(command), flush=True)
    try:
        returncode, lines = run(command, libguestfs_environment(work, kvm))
        if returncode and kvm and any("guestfs_launch failed" in line for line in lines):
            kvm = False
            print("the libguestfs appliance did not start on KVM: again on TCG", flush=True)
            returncode, lines = run(command, libguestfs_environment(work, kvm))
    except OSError as exc:
        returncode, lines = 127, [f"virt-v2v-in-place: error: cannot run it: {exc}"]
    seconds = round(time.monotonic() - started, 1)
    if returncode:
        reason = failure_reason(lines, returncode)
        print(f"conversion failed after {seconds} s: {reason}", file=sys.stderr, flush=True)
        write_termination(json.dumps({"converted": False, "reason": reason[:3000], "seconds": seconds}))
        return 1
    found = changes(lines)
    print(f"conversion done in {seconds} s", flush=True)
    while True:  # the kubelet keeps 4096 bytes of the message: drop changes until it fits
        report = json.dumps({"converted": True, "changes": found, "seconds": seconds,
                             "accelerator": "kvm" if kvm else "tcg"})
        if len(report.encode()) <= 4000 or not found:
            break
        found = found[:-1]
    write_termination(report)
    return 0


def write_termination(text: str) -> None:
    try:
        with open("/dev/termination-log", "w") as f:
            f.write(text)
    except OSError:
        pass


if __name__ == "__main__":
    sys.exit(main())

"""Entry point of the conversion Pod: `python -m mtvweb.pods.convert --disks PATH...`.

Runs virt-v2v-in-place over the VM's disks (drivers and boot configuration for KubeVirt), as
MTV does for vSphere and OVA guests. `--stand-in` (the lab: its disks hold no bootable
guest) only checks that every disk is present and readable, and says so in its log.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys


def disk_file(path: str) -> str:
    """A Filesystem claim is mounted as a directory holding disk.img; a Block one is the device."""
    return os.path.join(path, "disk.img") if os.path.isdir(path) else path


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m mtvweb.pods.convert")
    parser.add_argument("--disks", nargs="+", required=True)
    parser.add_argument("--stand-in", action="store_true", help="only check the disks (the lab)")
    args = parser.parse_args(argv)
    disks = [disk_file(p) for p in args.disks]
    for path in disks:
        with open(path, "rb") as f:
            f.read(4096)
    if args.stand_in:
        print(f"conversion stand-in: {len(disks)} disk(s) present and readable; virt-v2v-in-place not run", flush=True)
        result = {"converted": False, "disks": disks}
    else:
        command = ["virt-v2v-in-place", "-i", "disk", *disks]
        print("running " + " ".join(command), flush=True)
        done = subprocess.run(command, check=False)
        if done.returncode:
            message = f"error: virt-v2v-in-place exited with {done.returncode}; its output is in this Pod's log"
            print(message, file=sys.stderr)
            write_termination(message)
            return 1
        result = {"converted": True, "disks": disks}
    write_termination(json.dumps(result))
    return 0


def write_termination(text: str) -> None:
    try:
        with open("/dev/termination-log", "w") as f:
            f.write(text)
    except OSError:
        pass


if __name__ == "__main__":
    sys.exit(main())

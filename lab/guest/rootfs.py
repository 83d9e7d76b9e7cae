"""The guest's root directory: Debian bookworm from mmdebstrap, trimmed, with the marker unit."""

from __future__ import annotations

import shlex
import subprocess
from pathlib import Path

from lab.guest import content

SUITE = "bookworm"
MIRROR = "http://deb.debian.org/debian"
PACKAGES = [
    "linux-image-amd64", "systemd-sysv", "udev", "initramfs-tools", "zstd", "kmod", "e2fsprogs",
    # grub-mkconfig and GRUB's modules inside the guest, as grub-install leaves them (virt-v2v
    # regenerates grub.cfg after it rebuilds the initramfs)
    "grub2-common", "grub-pc-bin", "grub-efi-amd64-bin",
]
# Drivers no lab guest ever loads: half the kernel's size.
DROPPED_MODULES = ["drivers/gpu", "drivers/media", "drivers/net/wireless", "drivers/infiniband",
                   "drivers/staging", "drivers/bluetooth", "drivers/isdn", "drivers/iio", "sound",
                   "net/wireless", "net/bluetooth", "drivers/net/ethernet/mellanox"]
EXCLUDED_PATHS = ["/usr/share/doc/*", "/usr/share/man/*", "/usr/share/locale/*", "/usr/share/info/*"]


def _customize(root_hook: str) -> list[str]:
    """Shell commands mmdebstrap runs with the new root as $1 (proc and dev mounted)."""
    sh = shlex.quote
    dropped = " ".join(f'"$1"/usr/lib/modules/*/kernel/{path}' for path in DROPPED_MODULES)
    files = {
        "/usr/local/sbin/mtvweb-guest-ready": content.MARKER_SCRIPT,
        "/etc/systemd/system/mtvweb-guest-ready.service": content.MARKER_UNIT,
        "/etc/initramfs-tools/conf.d/mtvweb.conf": content.INITRAMFS_CONF,
        "/etc/default/grub": content.DEFAULT_GRUB,
        "/etc/hostname": "mtv-guest\n",
    }
    commands = [f"printf %s {sh(text)} > \"$1\"{path}" for path, text in files.items()]
    commands += [
        'chmod 755 "$1"/usr/local/sbin/mtvweb-guest-ready',
        'chroot "$1" systemctl enable mtvweb-guest-ready.service',
        'chroot "$1" passwd -d root',
        f"rm -rf {dropped}",
        'for v in "$1"/usr/lib/modules/*; do chroot "$1" depmod "${v##*/}"; done',
        'rm -f "$1"/boot/initrd.img-*',
        root_hook,
    ]
    return commands


def build(root: Path, initramfs_hook: str) -> None:
    """mmdebstrap into root; initramfs_hook runs last with the root as $1 (builds initramfs)."""
    command = ["mmdebstrap", "--mode=root", "--variant=minbase", "--quiet",
               f"--include={','.join(PACKAGES)}", "--aptopt=APT::Install-Recommends \"false\""]
    command += [f"--dpkgopt=path-exclude={path}" for path in EXCLUDED_PATHS]
    command += ["--dpkgopt=path-include=/usr/share/locale/locale.alias"]
    # before the kernel's postinst makes its first initramfs: only the listed modules
    command += ["--essential-hook=mkdir -p \"$1\"/etc/initramfs-tools/conf.d && printf %s "
                + shlex.quote(content.INITRAMFS_CONF) + " > \"$1\"/etc/initramfs-tools/conf.d/mtvweb.conf"]
    command += [f"--customize-hook={step}" for step in _customize(initramfs_hook)]
    command += [SUITE, str(root), MIRROR]
    subprocess.run(command, check=True)


def kernel_version(root: Path) -> str:
    versions = sorted(p.name for p in (root / "usr/lib/modules").iterdir())
    if len(versions) != 1:
        raise RuntimeError(f"expected one kernel in the guest, found {versions}")
    return versions[0]

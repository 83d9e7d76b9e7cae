"""Build the three guest disks once, keyed by a hash of what makes them; reuse them after."""

from __future__ import annotations

import hashlib
import os
import shutil
import sys
import tempfile
import time
import uuid
from pathlib import Path

from lab.guest import content, disk, rootfs
from lab.runtime import CACHE_DIR

# MTVWEB_LAB_GUEST_CACHE: where built guests live (tests that start from an empty cache share it)
GUEST_CACHE = Path(os.environ.get("MTVWEB_LAB_GUEST_CACHE") or CACHE_DIR / "guest")
DISK_SIZE = 2 * 1024 ** 3
VARIANTS = ("bios", "uefi", "virtio")
_SOURCES = ("build.py", "content.py", "disk.py", "rootfs.py")

# Builds both initramfs images inside the root (mmdebstrap's customize hook, $1 = root): the
# guest's own (VMware drivers only) and one with virtio for the virtio variant.
_INITRAMFS_HOOK = f"""set -e
v=$(ls "$1"/usr/lib/modules)
printf '%s\\n' {' '.join(content.VMWARE_MODULES)} > "$1"/etc/initramfs-tools/modules
rm -rf "$1"/var/tmp/initramfs-virtio && cp -a "$1"/etc/initramfs-tools "$1"/var/tmp/initramfs-virtio
printf '%s\\n' {' '.join(content.VIRTIO_MODULES)} >> "$1"/var/tmp/initramfs-virtio/modules
chroot "$1" mkinitramfs -o /boot/initrd.img-$v $v
chroot "$1" mkinitramfs -d /var/tmp/initramfs-virtio -o /var/tmp/initrd.img-virtio $v
rm -rf "$1"/var/tmp/initramfs-virtio
"""


def digest() -> str:
    h = hashlib.sha256()
    for name in _SOURCES:
        h.update(name.encode() + (Path(__file__).parent / name).read_bytes())
    return h.hexdigest()[:16]


def _uuid(variant: str, what: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"mtvweb-guest/{variant}/{what}"))


def _write_variant_files(root: Path, variant: str, kernel: str, virtio_initrd: Path, vmware_initrd: Path) -> None:
    root_uuid = _uuid(variant, "root")
    esp_uuid = _uuid(variant, "esp")[:9].upper() if variant == "uefi" else None
    esp_volid = f"{esp_uuid[:4]}-{esp_uuid[4:8]}" if esp_uuid else None
    (root / "etc/fstab").write_text(content.fstab(root_uuid, esp_volid))
    (root / "boot/grub").mkdir(parents=True, exist_ok=True)
    (root / "boot/grub/grub.cfg").write_text(content.grub_cfg(root_uuid, kernel))
    for platform in ("i386-pc", "x86_64-efi"):
        shutil.rmtree(root / "boot/grub" / platform, ignore_errors=True)
    platform = "x86_64-efi" if variant == "uefi" else "i386-pc"
    shutil.copytree(root / "usr/lib/grub" / platform, root / "boot/grub" / platform)
    modules = content.VMWARE_MODULES + (content.VIRTIO_MODULES if variant == "virtio" else [])
    (root / "etc/initramfs-tools/modules").write_text("\n".join(modules) + "\n")
    (root / "boot/efi").mkdir(exist_ok=True)
    shutil.copyfile(virtio_initrd if variant == "virtio" else vmware_initrd, root / f"boot/initrd.img-{kernel}")


def _build(out: Path) -> None:
    root = out / "root"
    rootfs.build(root, _INITRAMFS_HOOK)
    kernel = rootfs.kernel_version(root)
    vmware_initrd, virtio_initrd = out / "initrd-vmware", out / "initrd-virtio"
    shutil.copyfile(root / f"boot/initrd.img-{kernel}", vmware_initrd)
    (root / "var/tmp/initrd.img-virtio").rename(virtio_initrd)
    for variant in VARIANTS:
        _write_variant_files(root, variant, kernel, virtio_initrd, vmware_initrd)
        image = out / f"{variant}.raw"
        if variant == "uefi":
            esp = _uuid(variant, "esp")[:9].upper()
            disk.uefi(image, root, DISK_SIZE, _uuid(variant, "root"), f"{esp[:4]}-{esp[4:8]}")
        else:
            disk.bios(image, root, DISK_SIZE, _uuid(variant, "root"))
    shutil.rmtree(root)
    vmware_initrd.unlink()
    virtio_initrd.unlink()
    (out / "kernel").write_text(kernel + "\n")


def build() -> Path:
    """The directory holding bios.raw, uefi.raw and virtio.raw (built the first time: minutes)."""
    final = GUEST_CACHE / digest()
    if all((final / f"{v}.raw").exists() for v in VARIANTS):
        return final
    GUEST_CACHE.mkdir(parents=True, exist_ok=True)
    print("lab: building the real guest disks (Debian bookworm; a few minutes the first time)",
          file=sys.stderr, flush=True)
    started = time.monotonic()
    work = Path(tempfile.mkdtemp(prefix=".build-", dir=GUEST_CACHE))
    try:
        _build(work)
        os.chmod(work, 0o755)
        try:
            work.rename(final)
        except OSError:  # another build finished first: keep its result
            if not all((final / f"{v}.raw").exists() for v in VARIANTS):
                raise
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"lab: guest disks built in {time.monotonic() - started:.0f}s", file=sys.stderr, flush=True)
    return final

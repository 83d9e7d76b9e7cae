"""Raw disk images from a root directory, with no loop device or mount: sfdisk, mke2fs -d, mtools.

BIOS: an MBR, GRUB's boot.img in its first 440 bytes and core.img in the gap before the first
partition (what grub-install does). UEFI: GPT with an ESP holding EFI/BOOT/BOOTX64.EFI (the path
firmware boots when it has no boot entries).
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from lab.guest import content

SECTOR = 512
MIB = 1024 * 1024
ESP_TYPE = "C12A7328-F81F-11D2-BA4B-00A0C93EC93B"
LINUX_TYPE = "0FC63DAF-8483-4772-8E79-3D69D8477DE4"
GRUB_MODULES = ["part_msdos", "part_gpt", "ext2", "fat", "search", "search_fs_uuid", "configfile",
                "normal", "linux", "echo", "serial", "terminal", "test", "gzio", "boot", "ls", "cat"]


def _run(*command: str, **kwargs) -> subprocess.CompletedProcess:
    done = subprocess.run(list(command), capture_output=True, text=True, **kwargs)
    if done.returncode:
        raise RuntimeError(f"{' '.join(command)} failed ({done.returncode}): {done.stderr.strip()}")
    return done


def _partitions(image: Path, table: str) -> list[dict]:
    _run("sfdisk", "--quiet", str(image), input=table)
    return json.loads(_run("sfdisk", "--json", str(image)).stdout)["partitiontable"]["partitions"]


def _ext4(image: Path, root: Path, part: dict, uuid: str) -> None:
    _run("mke2fs", "-q", "-F", "-t", "ext4", "-U", uuid, "-L", "mtv-root", "-d", str(root),
         "-E", f"offset={part['start'] * SECTOR}", str(image), f"{part['size'] * SECTOR // 1024}k")


def _grub_image(root: Path, platform: str, early_cfg: str, out: Path) -> None:
    """grub-mkimage from the guest's own GRUB (chroot), with a config that finds the root fs."""
    work = root / "var/tmp/mtvweb-grub"
    work.mkdir(parents=True, exist_ok=True)
    (work / "early.cfg").write_text(early_cfg)
    modules = GRUB_MODULES + (["biosdisk"] if platform == "i386-pc" else ["efi_gop"])
    _run("chroot", str(root), "grub-mkimage", "-O", platform, "-d", f"/usr/lib/grub/{platform}",
         "-p", "/boot/grub", "-c", "/var/tmp/mtvweb-grub/early.cfg", "-o", "/var/tmp/mtvweb-grub/out", *modules)
    (work / "out").rename(out)
    (work / "early.cfg").unlink()
    work.rmdir()


def bios(image: Path, root: Path, size: int, root_uuid: str) -> None:
    image.unlink(missing_ok=True)
    with open(image, "wb") as f:
        f.truncate(size)
    (part,) = _partitions(image, "label: dos\nstart=2048, type=83, bootable\n")
    _ext4(image, root, part, root_uuid)
    core = image.with_suffix(".core")
    _grub_image(root, "i386-pc", content.early_grub_cfg(root_uuid), core)
    if core.stat().st_size > (part["start"] - 1) * SECTOR:
        raise RuntimeError("GRUB's core.img does not fit before the first partition")
    boot_code = (root / "usr/lib/grub/i386-pc/boot.img").read_bytes()[:440]
    with open(image, "r+b") as f:
        f.write(boot_code)  # the partition table after byte 440 stays
        f.seek(SECTOR)
        f.write(core.read_bytes())
    core.unlink()


def uefi(image: Path, root: Path, size: int, root_uuid: str, esp_id: str) -> None:
    image.unlink(missing_ok=True)
    with open(image, "wb") as f:
        f.truncate(size)
    esp, rootpart = _partitions(
        image, f"label: gpt\nstart=2048, size={63 * MIB // SECTOR}, type={ESP_TYPE}, name=ESP\n"
               f"type={LINUX_TYPE}, name=root\n")
    _ext4(image, root, rootpart, root_uuid)
    loader = image.with_suffix(".efi")
    _grub_image(root, "x86_64-efi", content.early_grub_cfg(root_uuid), loader)
    _run("mkfs.vfat", "-F", "16", "-i", esp_id.replace("-", ""), "-n", "ESP",
         "--offset", str(esp["start"]), str(image), str(esp["size"] * SECTOR // 1024))
    where = f"{image}@@{esp['start'] * SECTOR}"
    _run("mmd", "-i", where, "::EFI", "::EFI/BOOT", "::EFI/debian")
    _run("mcopy", "-i", where, str(loader), "::EFI/BOOT/BOOTX64.EFI")
    # As grub-install leaves it: the distribution's directory with a grub.cfg that reads the real
    # one. virt-v2v finds a UEFI guest's bootloader there (none: "no bootloader detected").
    stub = image.with_suffix(".cfg")
    stub.write_text(content.early_grub_cfg(root_uuid))
    _run("mcopy", "-i", where, str(stub), "::EFI/debian/grub.cfg")
    stub.unlink()
    loader.unlink()

"""Files written into the guest's root: the marker unit, its script, boot and initramfs settings."""

from __future__ import annotations

MARKER = "MTVWEB-GUEST-READY"

# Lists every NIC but lo, in name order, as the lab's tests and the launcher read it back.
MARKER_SCRIPT = f"""#!/bin/sh
udevadm settle --timeout=30 || true
macs=""
for dev in /sys/class/net/*; do
    name="${{dev##*/}}"
    [ "$name" = lo ] && continue
    mac="$(cat "$dev/address")"
    macs="${{macs:+$macs,}}$mac"
done
echo "{MARKER} macs=$macs" > /dev/ttyS0
"""

MARKER_UNIT = """[Unit]
Description=Tell the serial console that the guest reached multi-user
After=systemd-udev-settle.service systemd-udevd.service basic.target

[Service]
Type=oneshot
ExecStart=/usr/local/sbin/mtvweb-guest-ready

[Install]
WantedBy=multi-user.target
"""

# What a VMware VM's disks sit on: SATA/AHCI, IDE (ata_piix), LSI Logic (mptspi/mptsas), PVSCSI.
VMWARE_MODULES = ["ahci", "libahci", "ata_piix", "mptspi", "mptsas", "vmw_pvscsi", "sd_mod", "ext4"]
VIRTIO_MODULES = ["virtio_pci", "virtio_blk", "virtio_scsi", "virtio_net"]

INITRAMFS_CONF = "# Only the modules listed in ../modules: a VMware guest's initramfs has no virtio.\nMODULES=list\n"

KERNEL_ARGS = "ro console=tty0 console=ttyS0,115200n8"

DEFAULT_GRUB = f"""GRUB_DEFAULT=0
GRUB_TIMEOUT=0
GRUB_DISTRIBUTOR=Debian
GRUB_CMDLINE_LINUX_DEFAULT=""
GRUB_CMDLINE_LINUX="{KERNEL_ARGS.removeprefix('ro ')}"
GRUB_TERMINAL="serial console"
GRUB_SERIAL_COMMAND="serial --unit=0 --speed=115200"
"""


def grub_cfg(root_uuid: str, kernel: str) -> str:
    """The guest's /boot/grub/grub.cfg, shaped like grub-mkconfig's (virt-v2v regenerates it)."""
    return f"""serial --unit=0 --speed=115200
terminal_input serial console
terminal_output serial console
set timeout=0
set default=0
insmod part_msdos
insmod part_gpt
insmod ext2
search --no-floppy --fs-uuid --set=root {root_uuid}
menuentry 'Debian GNU/Linux' {{
    linux /boot/vmlinuz-{kernel} root=UUID={root_uuid} {KERNEL_ARGS}
    initrd /boot/initrd.img-{kernel}
}}
"""


def early_grub_cfg(root_uuid: str) -> str:
    """Embedded in the boot image: find the root filesystem, then read its grub.cfg."""
    return f"""search --no-floppy --fs-uuid --set=root {root_uuid}
set prefix=($root)/boot/grub
configfile ($root)/boot/grub/grub.cfg
"""


def fstab(root_uuid: str, esp_uuid: str | None) -> str:
    lines = [f"UUID={root_uuid} / ext4 errors=remount-ro 0 1"]
    if esp_uuid:
        lines.append(f"UUID={esp_uuid} /boot/efi vfat umask=0077,nofail 0 1")
    return "\n".join(lines) + "\n"

"""The conversion Pod's side of virt-v2v (mtvweb.pods.convert), without running it: the libvirt
description it hands to `virt-v2v-in-place -i libvirtxml` (disks as the Pod sees the claims, in
order, firmware, NICs), the Pod the engine asks for (KVM requested unless the setting says not),
and how virt-v2v's output becomes the VM's log lines and its row's reason."""

import xml.etree.ElementTree as ET

from mtvweb.pods import convert
from plans.engine import objects
from providers.adapters.source import DiskSource, NicSource, SourceVM


def test_filesystem_claims_are_files_and_block_claims_devices(tmp_path):
    (tmp_path / "disk0").mkdir()
    (tmp_path / "disk0" / "disk.img").write_bytes(b"")
    image = str(tmp_path / "disk0" / "disk.img")
    assert convert.disk_file(str(tmp_path / "disk0")) == convert.disk_file(image) == (image, "file")
    assert convert.disk_file("/dev/loop0") == ("/dev/loop0", "block")


def test_the_description_names_every_disk_in_order_with_the_firmware():
    text = convert.domain_xml("web-1", "efi", 4096, 2, [("/disk0/disk.img", "file"), ("/dev/disk1", "block")],
                              ["00:50:56:aa:bb:01"])
    domain = ET.fromstring(text)
    assert (domain.get("type"), domain.findtext("name"), domain.findtext("vcpu")) == ("kvm", "web-1", "2")
    assert domain.find("memory").attrib == {"unit": "MiB"} and domain.findtext("memory") == "4096"
    assert domain.find("os").get("firmware") == "efi" and domain.find("os/type").get("arch") == "x86_64"
    disks = domain.findall("devices/disk")
    assert [(d.get("type"), d.find("source").attrib, d.find("driver").get("type"), d.find("target").get("dev"))
            for d in disks] == [("file", {"file": "/disk0/disk.img"}, "raw", "sda"),
                                ("block", {"dev": "/dev/disk1"}, "raw", "sdb")]
    assert [m.get("address") for m in domain.findall("devices/interface/mac")] == ["00:50:56:aa:bb:01"]
    bios = ET.fromstring(convert.domain_xml("db-1", "bios", 1024, 1, [("/disk0/disk.img", "file")]))
    assert "firmware" not in bios.find("os").attrib  # libvirt's default: BIOS


def vm(firmware="bios"):
    return SourceVM(id="vm-1", name="web-1", sockets=2, cores=2, memory_mib=2048, firmware=firmware,
                    disks=[DiskSource(id="d0", capacity=1, storage="ds"), DiskSource(id="d1", capacity=1, storage="ds")],
                    nics=[NicSource(mac="00:50:56:aa:bb:01", network="n1")], powered_on=False)


def test_the_pod_passes_the_vm_and_requests_kvm_unless_told_not_to():
    pod = objects.conversion_pod("web-1-convert-1", vm("efi"), [("c0", "Filesystem"), ("c1", "Block")], {},
                                 account="web-1-convert-1")
    container = pod["spec"]["containers"][0]
    command = container["command"]
    assert command[command.index("--firmware") + 1] == "efi" and command[command.index("--vcpus") + 1] == "4"
    assert command[command.index("--mac") + 1] == "00:50:56:aa:bb:01"
    assert command[command.index("--disks") + 1:] == ["/disk0/disk.img", "/dev/disk1"] and "--no-kvm" not in command
    assert container["resources"]["limits"] == {"devices.kubevirt.io/kvm": "1"}
    without = objects.conversion_pod("x", vm(), [("c0", "Filesystem")], {}, kvm=False)["spec"]["containers"][0]
    assert "resources" not in without and "--no-kvm" in without["command"]


def test_libguestfs_emulates_when_kvm_does_not_work(tmp_path):
    assert convert.libguestfs_environment(str(tmp_path), kvm=False)["LIBGUESTFS_BACKEND_SETTINGS"] == "force_tcg"
    kvm = convert.libguestfs_environment(str(tmp_path), kvm=True)
    assert kvm["LIBGUESTFS_BACKEND"] == "direct" and "LIBGUESTFS_BACKEND_SETTINGS" not in kvm


REFUSED = """[   1.1] Opening the source
libguestfs: trace: v2v: inspect_os
virt-v2v-in-place: error: inspection could not detect the source guest (or
physical machine).

Assuming that you are running virt-v2v/virt-p2v on a source which is
supported (and not, for example, a blank disk), then this should not
happen.

No root device found in this operating system image.

If reporting bugs, run virt-v2v with debugging enabled and include the
complete output:

  virt-v2v -v -x [...]""".splitlines()


def test_the_reason_is_virt_v2v_own_words():
    reason = convert.failure_reason(REFUSED, 1)
    assert reason.startswith("inspection could not detect the source guest")
    assert reason.endswith("No root device found in this operating system image.")
    assert "If reporting bugs" not in reason
    assert convert.failure_reason(["something odd"], 2) == "virt-v2v-in-place exited with 2: something odd"


def test_what_virt_v2v_changed_is_kept_and_its_chatter_is_not():
    lines = ["[  20.0] Converting Debian GNU/Linux 12 (bookworm) to run on KVM",
             "libguestfs: trace: v2v: aug_get \"/files/etc/fstab\"",
             "commandrvf: update-initramfs -u -k 6.1.0-28-amd64",
             "commandrvf: update-initramfs -u -k 6.1.0-28-amd64",
             "virt-v2v-in-place: This guest has virtio drivers installed.",
             "[  30.0] Mapping filesystem data to avoid copying unused and blank areas"]
    assert convert.changes(lines) == ["[  20.0] Converting Debian GNU/Linux 12 (bookworm) to run on KVM",
                                      "commandrvf: update-initramfs -u -k 6.1.0-28-amd64",
                                      "virt-v2v-in-place: This guest has virtio drivers installed."]

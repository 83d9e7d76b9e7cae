"""What a plan's guest conversion does, and what skipping it (Forklift's spec.skipGuestConversion,
"raw copy") means, in one place: the wizard's help, the review page, the plan page and the engine's
log read these words.

Whether a source's VMs are converted at all is its adapter's `needs_conversion` (vSphere, OVA).
The others (oVirt, OpenStack, KubeVirt) already run on virtio devices: their VMs are never
converted, so the option changes nothing for them. Like Forklift, mtvweb accepts it there and says
that it has no effect, rather than refusing manifests written for several sources at once."""

from __future__ import annotations

from providers.adapters import adapter_class

SKIP_HELP = (
    "Raw copy: the disks are copied byte for byte and virt-v2v does not run. Nothing prepares the guest for "
    "KubeVirt: it keeps its VMware drivers and gets no virtio ones, so a guest without virtio drivers may not find "
    "its disks on the virtio bus and then does not boot; its network settings survive only if they do not depend "
    "on the NIC's name or model (the new virtio NIC usually gets another name, and a static IP tied to the old one "
    "is lost); VMware Tools are not removed. Choose it for guests that already have virtio drivers, or for disks "
    "that hold no guest at all.")

CONVERTED = ("Converted by virt-v2v-in-place after the copy: virtio drivers installed, the initramfs rebuilt, the "
             "bootloader and fstab adjusted to the new disk names, VMware Tools removed.")

SKIPPED = ("Not converted (raw copy): the disks arrive exactly as they were on the source. The guests keep their "
           "VMware drivers and tools and get no virtio drivers, so a guest without them may not find its disks "
           "and will not boot; network settings tied to the old NIC's name or model (e.g. a static IP) are lost.")

SKIPPED_LOG = "skipped: the plan copies the disks as they are (skipGuestConversion), virt-v2v does not run"


def converts(source_provider) -> bool:
    """Whether the source's VMs need converting at all."""
    return source_provider is not None and adapter_class(source_provider.type).needs_conversion


def not_needed(source_provider) -> str:
    return (f"Not needed: {source_provider.get_type_display()} VMs already run on virtio devices and are copied "
            "without conversion, so skipping it has no effect.")


def meaning(source_provider, skip: bool) -> str:
    """What the plan does to its guests, in a sentence or two (review page, plan page)."""
    if source_provider is None:
        return ""
    if not converts(source_provider):
        return not_needed(source_provider)
    return SKIPPED if skip else CONVERTED


def skipped_by_plan(plan) -> bool:
    """The engine's test: the source converts, but the plan chose a raw copy."""
    return plan.skip_guest_conversion and converts(plan.source_provider)

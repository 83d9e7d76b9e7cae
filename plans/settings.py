"""The controller settings of the guide's §4.3 / §3.3: one row, edited on the settings page.
The engine reads them once per round and hands them to each VM's steps (`VMContext.settings`)."""

import math

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from kubernetes.utils import parse_quantity

from mtvweb.validators import validate_quantity


class ControllerSettings(models.Model):
    """The settings of the guide's §4.3 / §3.3, one row: `ControllerSettings.current()`."""

    max_vm_inflight = models.PositiveIntegerField(
        "Maximum concurrent VM migrations",
        default=20,
        validators=[MinValueValidator(1), MaxValueValidator(1000)],
        help_text="Most VMs of one plan that migrate at the same time.",
    )
    max_vm_per_host = models.PositiveIntegerField(
        "Maximum concurrent VM migrations per source host",
        default=10,
        validators=[MinValueValidator(1), MaxValueValidator(1000)],
        help_text="Most VMs of one ESXi or oVirt host copied at the same time, across plans (MTV's performance "
                  "guide found about 10 the useful maximum).",
    )
    must_gather_cleanup_hours = models.PositiveIntegerField(
        "Must gather cleanup after (hours)",
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text="Log archives older than this are deleted. Empty: disabled (kept until removed by hand).",
    )
    controller_cpu_limit = models.CharField(
        "Controller main container CPU limit", max_length=16, default="500m", validators=[validate_quantity],
        help_text="CPU limit of the controller's main container.",
    )
    controller_memory_limit = models.CharField(
        "Controller main container memory limit", max_length=16, default="800Mi", validators=[validate_quantity],
        help_text="Memory limit of the controller's main container.",
    )
    precopy_interval_minutes = models.PositiveIntegerField(
        "Precopy interval (minutes)", default=60, validators=[MinValueValidator(1)],
        help_text="How often warm migration takes a new snapshot before cutover.",
    )
    snapshot_polling_seconds = models.PositiveIntegerField(
        "Snapshot polling interval (seconds)", default=10, validators=[MinValueValidator(1)],
        help_text="How often warm migration checks whether a snapshot was created or removed.",
    )
    filesystem_overhead_percent = models.PositiveIntegerField(
        "Filesystem overhead (%)", default=10, validators=[MaxValueValidator(100)],
        help_text="Extra space added to Filesystem-mode volumes for the file system's own needs.",
    )
    block_overhead = models.CharField(
        "Block overhead", max_length=16, default="0", validators=[validate_quantity],
        help_text="Fixed extra space added to every Block-mode volume, such as 0 or 1Gi.",
    )
    conversion_kvm = models.BooleanField(
        "Guest conversion uses KVM", default=True,
        help_text="The conversion Pods request devices.kubevirt.io/kvm, as Forklift's do, and run libguestfs on "
                  "KVM. Off: for clusters without KubeVirt's KVM device plugin; the Pods then emulate (TCG), "
                  "several times slower.",
    )
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        app_label = "plans"
        verbose_name = "settings"
        verbose_name_plural = "settings"

    EDITABLE = [
        "max_vm_inflight",
        "max_vm_per_host",
        "must_gather_cleanup_hours",
        "controller_cpu_limit",
        "controller_memory_limit",
        "precopy_interval_minutes",
        "snapshot_polling_seconds",
        "filesystem_overhead_percent",
        "block_overhead",
        "conversion_kvm",
    ]

    def __str__(self):
        return "Settings"

    @classmethod
    def current(cls) -> "ControllerSettings":
        obj, _ = cls.objects.get_or_create(pk=1)
        return obj

    @property
    def block_overhead_bytes(self) -> int:
        """The block overhead in bytes: any Kubernetes quantity the setting accepts (500m … 1Ei),
        rounded up to a whole byte."""
        return math.ceil(parse_quantity(self.block_overhead or "0"))

from django.conf import settings
from django.db import models
from django.urls import reverse

from mtvweb.access import RestrictedQuerySet
from mtvweb.models import NamespacedObject
from plans.settings import ControllerSettings  # noqa: F401 - a model of this app, registered from here


class Plan(NamespacedObject):
    """What to migrate, from where to where (Forklift's Plan kind)."""

    class Status(models.TextChoices):
        READY = "Ready"
        NOT_READY = "NotReady", "Not ready"

    description = models.TextField(blank=True)
    source_provider = models.ForeignKey("providers.Provider", on_delete=models.PROTECT, related_name="+")
    destination_provider = models.ForeignKey("providers.Provider", on_delete=models.PROTECT, related_name="+")
    target_namespace = models.CharField(max_length=63)
    warm = models.BooleanField(default=False)
    # Forklift's spec.skipGuestConversion: copy the disks as they are, without virt-v2v (plans/conversion.py
    # says what that means); sources whose VMs are never converted ignore it.
    skip_guest_conversion = models.BooleanField(default=False)
    # A NetworkAttachmentDefinition ("namespace/name") disks are transferred over; empty: the
    # target provider's default (guide §4.4.2.2), else the pod network.
    transfer_network = models.CharField(max_length=317, blank=True)
    network_map = models.ForeignKey("mappings.NetworkMap", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="plans")
    storage_map = models.ForeignKey("mappings.StorageMap", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="plans")
    archived = models.BooleanField(default=False)
    # Kept current by plans.status from the plan checks: Ready, or Not ready with the reasons.
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.NOT_READY)
    status_reasons = models.JSONField(default=list, blank=True)
    checked = models.DateTimeField(null=True, blank=True)

    class Meta(NamespacedObject.Meta):
        pass


class PlanVM(models.Model):
    """A VM of a plan (Forklift's plan.spec.vms[]), by its inventory id."""

    namespace_field = "plan__namespace"

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="vms")
    vm_id = models.CharField(max_length=255)
    name = models.CharField(max_length=512, help_text="The source VM's name when it was added.")
    target_name = models.CharField(max_length=253, blank=True,
                                   help_text="Empty: the source name, renamed by the guide's §2.4 rules if needed.")

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["plan", "name"]
        constraints = [models.UniqueConstraint(fields=["plan", "vm_id"], name="one_entry_per_vm_and_plan")]

    def __str__(self):
        return self.name


class Hook(NamespacedObject):
    """An Ansible playbook or a custom image run as a Job before or after a VM migrates."""

    DEFAULT_IMAGE = "quay.io/konveyor/hook-runner:latest"

    image = models.CharField(max_length=512, default=DEFAULT_IMAGE)
    playbook = models.TextField(blank=True, help_text="The Ansible playbook (YAML); empty for a custom image.")
    deadline_seconds = models.PositiveIntegerField(default=600)

    class Meta(NamespacedObject.Meta):
        pass


class PlanVMHook(models.Model):
    class Step(models.TextChoices):
        PRE = "PreHook"
        POST = "PostHook"

    namespace_field = "plan_vm__plan__namespace"

    plan_vm = models.ForeignKey(PlanVM, on_delete=models.CASCADE, related_name="hooks")
    hook = models.ForeignKey(Hook, on_delete=models.PROTECT, related_name="uses")
    step = models.CharField(max_length=8, choices=Step.choices)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["plan_vm", "step"], name="one_hook_per_vm_and_step")]

    def __str__(self):
        return f"{self.step} {self.hook} for {self.plan_vm}"


class RunStatus(models.TextChoices):
    PENDING = "Pending"
    RUNNING = "Running"
    SUCCEEDED = "Succeeded"
    FAILED = "Failed"
    CANCELED = "Canceled"


class Migration(models.Model):
    """One run of a plan (Forklift's Migration kind)."""

    namespace_field = "plan__namespace"

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="migrations")
    status = models.CharField(max_length=16, choices=RunStatus.choices, default=RunStatus.PENDING)
    started = models.DateTimeField(null=True, blank=True)
    completed = models.DateTimeField(null=True, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    # Warm migration: when to stop the sources and copy what changed last (Forklift's spec.cutover).
    cutover = models.DateTimeField(null=True, blank=True)
    # VM ids to cancel (Forklift's spec.cancel).
    cancel = models.JSONField(default=list, blank=True)
    # Whose rights the engine checks again before it touches the cluster (plans.tenancy.run_refusal).
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-created"]

    def __str__(self):
        return f"{self.plan.name} #{self.pk}"

    def get_absolute_url(self):
        return reverse("plans:plan", args=[self.plan_id])


class MigrationVM(models.Model):
    """One VM's journey within a migration."""

    namespace_field = "migration__plan__namespace"

    migration = models.ForeignKey(Migration, on_delete=models.CASCADE, related_name="vms")
    vm_id = models.CharField(max_length=255)
    name = models.CharField(max_length=255)
    status = models.CharField(max_length=16, choices=RunStatus.choices, default=RunStatus.PENDING)
    phase = models.CharField(max_length=64, blank=True)
    error = models.TextField(blank=True)
    started = models.DateTimeField(null=True, blank=True)
    completed = models.DateTimeField(null=True, blank=True)
    # The engine's record of the pipeline (plans.engine): each step's state and times, each
    # disk's claim, transfer Pod, bytes and hash, and what a step must remember (the source's
    # power state, the target name…). A restarted worker continues from here.
    steps = models.JSONField(default=list, blank=True)
    disks = models.JSONField(default=list, blank=True)
    memo = models.JSONField(default=dict, blank=True)
    log = models.TextField(blank=True, help_text="The engine's log lines for this VM.")
    # The lease (plans.engine.lease): the engine working on the VM, and when it last said it still
    # does; another engine may take the VM over once that is older than the lease.
    owner = models.CharField(max_length=200, blank=True)
    heartbeat = models.DateTimeField(null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["migration", "name"]
        constraints = [models.UniqueConstraint(fields=["migration", "vm_id"], name="one_entry_per_vm_and_migration")]

    def __str__(self):
        return self.name


class WizardState(models.Model):
    """A plan being built or edited in the wizard: every step's choices, kept server-side so that
    back, forward and reload never lose them. It belongs to the user who started it."""

    user = models.ForeignKey("auth.User", on_delete=models.CASCADE, related_name="+")
    plan = models.ForeignKey(Plan, null=True, blank=True, on_delete=models.CASCADE, related_name="+",
                             help_text="The plan being edited; empty while creating one.")
    data = models.JSONField(default=dict, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"wizard {self.pk} of {self.user}"

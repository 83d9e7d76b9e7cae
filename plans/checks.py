"""Plan-level checks: what stops a plan (Critical) or deserves a word (Warning, Information)
before it starts. They read the inventory only, never the live source.

The plan wizard and the Plan's Ready / Not ready status use `check_plan()`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from plans.engine.objects import claim_size
from plans.naming import is_valid_name, kubernetes_name, why_invalid
from plans.settings import ControllerSettings
from providers.adapters import adapter_class
from providers.adapters.base import CRITICAL, INFORMATION, WARNING
from providers.models import InventoryObject, Provider, VirtualMachine

POD = "pod"
GIB = 2**30


@dataclass
class Finding:
    category: str
    message: str
    vm: str = ""  # the source VM's name; empty for the plan as a whole

    def __str__(self):
        return f"{self.vm}: {self.message}" if self.vm else self.message


@dataclass
class PlanDraft:
    """What a plan would migrate: the checks need nothing else."""

    source: Provider
    target: Provider
    target_namespace: str
    vm_ids: list[str]
    network_map: dict[str, str] = field(default_factory=dict)  # source network id → "pod" or "ns/name"
    storage_map: dict[str, dict] = field(default_factory=dict)  # source storage id → {storageClass, volumeMode}
    warm: bool = False
    target_names: dict[str, str] = field(default_factory=dict)  # VM id → the name the user chose


@dataclass
class CheckResult:
    findings: list[Finding]
    target_names: dict[str, str]  # VM id → the name it will have in the target namespace

    @property
    def ready(self) -> bool:
        return not any(f.category == CRITICAL for f in self.findings)


def object_names(provider, kind) -> dict[str, str]:
    return dict(InventoryObject.objects.filter(provider=provider, kind=kind).values_list("uid", "name"))


def taken_names(target: Provider, namespace: str) -> set[str]:
    """Names of the VMs already in the target namespace (from the target's inventory)."""
    prefix = f"/{namespace}/"
    paths = VirtualMachine.objects.filter(provider=target, path__startswith=prefix).values_list("path", flat=True)
    return {path[len(prefix):] for path in paths}


def check_plan(draft: PlanDraft) -> CheckResult:
    adapter = adapter_class(draft.source.type)
    vms = list(VirtualMachine.objects.filter(provider=draft.source, uid__in=draft.vm_ids))
    findings: list[Finding] = []
    missing = set(draft.vm_ids) - {vm.uid for vm in vms}
    findings += [Finding(CRITICAL, f"VM {uid} is not in the source inventory any more.") for uid in sorted(missing)]
    findings += provider_checks(draft, adapter)
    networks, storages = object_names(draft.source, "network"), object_names(draft.source, "storage")
    for vm in vms:
        findings += mapping_checks(vm, adapter, draft, networks, storages)
        findings += source_checks(vm, adapter, draft)
    names, name_findings = target_names(vms, draft)
    findings += name_findings
    findings += capacity_checks(vms, adapter, draft)
    order = {CRITICAL: 0, WARNING: 1, INFORMATION: 2}
    return CheckResult(sorted(findings, key=lambda f: (order[f.category], f.vm)), names)


def provider_checks(draft: PlanDraft, adapter) -> list[Finding]:
    findings = []
    for provider, role in ((draft.source, "source"), (draft.target, "target")):
        if provider.status != Provider.Status.READY:
            findings.append(Finding(CRITICAL, f"The {role} provider {provider.name} is {provider.status}"
                                              f"{': ' + provider.status_message if provider.status_message else ''}."))
    if not adapter_class(draft.target.type).is_target:
        findings.append(Finding(CRITICAL, f"The target must be an OpenShift Virtualization provider, not "
                                          f"{draft.target.get_type_display()}."))
    findings += [Finding(category, text) for category, text in adapter.provider_findings(draft.source)]
    if draft.warm and not adapter.supports_warm:
        findings.append(Finding(CRITICAL, f"{draft.source.get_type_display()} providers support cold migration only; "
                                          "choose cold."))
    return findings


def mapping_checks(vm, adapter, draft, networks, storages) -> list[Finding]:
    findings = []
    nic_networks = adapter.nic_networks(vm.data)
    unconnected = nic_networks.count("")
    if unconnected:
        findings.append(Finding(WARNING, f"{unconnected} NIC(s) are connected to no network; the VM gets them "
                                         "unconnected too.", vm.name))
    for network in sorted(set(nic_networks) - set(draft.network_map) - {""}):
        name = networks.get(network) or network or "(no network)"
        findings.append(Finding(CRITICAL, f"Network {name} is not mapped: add it to the network map.", vm.name))
    on_pod = sum(1 for n in nic_networks if draft.network_map.get(n) == POD)
    if on_pod > 1:
        findings.append(Finding(CRITICAL, f"{on_pod} NICs are mapped to the pod network; only one may be. Map the "
                                          "others to NetworkAttachmentDefinitions.", vm.name))
    for storage in sorted(set(adapter.disk_storages(vm.data)) - set(draft.storage_map)):
        name = storages.get(storage) or storage or "(no storage)"
        findings.append(Finding(CRITICAL, f"Storage {name} is not mapped: add it to the storage map.", vm.name))
    return findings


def source_checks(vm, adapter, draft) -> list[Finding]:
    """What the source type finds in the VM's record (warm only where the source supports it), and
    the VM's own critical concerns."""
    warm = draft.warm and adapter.supports_warm
    findings = [Finding(category, text, vm.name) for category, text in adapter.vm_findings(vm.data, warm)]
    if vm.concern_level == VirtualMachine.Concern.CRITICAL:
        labels = ", ".join(c["label"] for c in vm.concerns if c.get("category") == CRITICAL)
        findings.append(Finding(WARNING, f"The VM has critical concerns ({labels}); it may fail to migrate.", vm.name))
    return findings


def target_names(vms, draft) -> tuple[dict[str, str], list[Finding]]:
    """The name each VM gets in the target namespace, and what the user should know about it."""
    taken = taken_names(draft.target, draft.target_namespace)
    names, findings = {}, []
    for vm in sorted(vms, key=lambda v: v.name):
        chosen = draft.target_names.get(vm.uid, "")
        if chosen:
            if not is_valid_name(chosen):
                findings.append(Finding(CRITICAL, f"The target name {chosen!r} is not valid: {why_invalid(chosen)}.",
                                        vm.name))
            elif chosen in taken:
                findings.append(Finding(CRITICAL, f"A VM named {chosen} is already in namespace "
                                                  f"{draft.target_namespace} (or in this plan): choose another name.",
                                        vm.name))
            name = chosen
        elif is_valid_name(vm.name) and vm.name in taken:
            findings.append(Finding(CRITICAL, f"A VM named {vm.name} is already in namespace {draft.target_namespace} "
                                              "(or in this plan): give this VM another target name.", vm.name))
            name = vm.name
        elif not is_valid_name(vm.name):
            name = kubernetes_name(vm.name, taken)
            findings.append(Finding(WARNING, f"The name is not valid in Kubernetes ({why_invalid(vm.name)}); the VM "
                                             f"will be called {name}. You can choose another target name.", vm.name))
        else:
            name = vm.name
        names[vm.uid] = name
        taken.add(name)
    return names, findings


def capacity_checks(vms, adapter, draft) -> list[Finding]:
    """The claims the engine will request (plans.engine.objects.claim_size: the disk plus the
    configured overhead) must fit in each target storage class's free capacity, where the target
    cluster reports it (CSIStorageCapacity)."""
    settings = ControllerSettings.current()
    needed: dict[str, int] = {}
    modes: dict[str, set[str]] = {}
    for vm in vms:
        for storage, size in zip(adapter.disk_storages(vm.data), adapter.vm_summary(vm.data).disk_bytes, strict=False):
            target = draft.storage_map.get(storage)
            if not target:
                continue
            mode = "Block" if target.get("volumeMode") == "Block" else "Filesystem"
            name = target["storageClass"]
            needed[name] = needed.get(name, 0) + claim_size(size, mode, settings)
            modes.setdefault(name, set()).add(mode)
    classes = {o.name: o.data for o in InventoryObject.objects.filter(provider=draft.target, kind="storage",
                                                                      name__in=list(needed))}
    findings = []
    for name, size in sorted(needed.items()):
        free = (classes.get(name) or {}).get("availableCapacity")
        if free is not None and size > free:
            overheads = " and the ".join(
                f"{settings.filesystem_overhead_percent}% filesystem overhead" if mode == "Filesystem"
                else f"{settings.block_overhead} block overhead" for mode in sorted(modes[name], reverse=True))
            findings.append(Finding(CRITICAL, f"Storage class {name} has {size_text(free)} free but the disks need "
                                              f"{size_text(size)} including the {overheads}: map some disks to "
                                              "another class, free space, or lower the overhead setting."))
    return findings


def size_text(size: int) -> str:
    """GiB with one decimal, or MiB below 10 GiB where one decimal of GiB hides the difference."""
    return f"{size / GIB:.1f} GiB" if size >= 10 * GIB else f"{size / 2**20:.0f} MiB"

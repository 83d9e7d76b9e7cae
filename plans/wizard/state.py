"""The wizard's choices as plain JSON data (WizardState.data), and the objects they name.

    data = {
      "general": {name, description, namespace, source, target, target_namespace, transfer_network},
      "vms": {"ids": [...], "filter": {...}, "critical_ok": bool},
      "network" / "storage": {"mode": "existing" | "new", "map": pk, "pairs": [pair json],
                              "basis": what the pairs were suggested for, "template": bool, "template_name": str},
      "type": {"warm": bool, "skip_guest_conversion": bool},
      "hooks": {"PreHook" / "PostHook": {"kind": "none" | "existing" | "playbook" | "image" | "keep",
                                          "hook": pk, "playbook": str, "image": str}},
      "names": {vm id: target name},
    }
"""

from __future__ import annotations

from mappings.kinds import KINDS
from plans import writer
from plans.checks import PlanDraft
from plans.models import Hook, Plan
from providers.models import Provider

HOOK_STEPS = ("PreHook", "PostHook")


class Choices:
    """Read access to a wizard's data with the objects it names, restricted to what the user may use."""

    def __init__(self, data: dict, user, state_pk=None):
        self.data, self.user, self.state_pk = data, user, state_pk

    def part(self, name: str) -> dict:
        return self.data.setdefault(name, {})

    @property
    def general(self) -> dict:
        return self.part("general")

    def provider(self, key: str) -> Provider | None:
        pk = self.general.get(key)
        if not pk:
            return None
        return writer.usable(self.user, Provider).filter(pk=pk).first()

    @property
    def source(self) -> Provider | None:
        return self.provider("source")

    @property
    def target(self) -> Provider | None:
        return self.provider("target")

    @property
    def vm_ids(self) -> list[str]:
        return list(self.part("vms").get("ids", []))

    def chosen_map(self, kind: str):
        """The existing map the step chose (None for a new one, or one the user may not use);
        kind: the map kind's name (mappings.kinds.KINDS)."""
        part = self.part(kind)
        if part.get("mode") != "existing" or not part.get("map"):
            return None
        return writer.usable(self.user, KINDS[kind].model).filter(pk=part["map"]).first()

    def pairs(self, kind: str) -> list:
        """The rows the plan will use: the chosen map's, or the new map's."""
        part = self.part(kind)
        if part.get("mode") == "existing":
            chosen = self.chosen_map(kind)
            return KINDS[kind].specs_of(chosen) if chosen else []
        specs = [KINDS[kind].spec.from_json(p) for p in part.get("pairs", [])]
        return [p for p in specs if p.source_id or p.mapped]  # rows added but not filled in yet do not count

    @property
    def warm(self) -> bool:
        return bool(self.part("type").get("warm"))

    @property
    def skip_guest_conversion(self) -> bool:
        return bool(self.part("type").get("skip_guest_conversion"))

    def hook_choice(self, step: str) -> dict:
        return self.part("hooks").get(step) or {"kind": "none"}

    def existing_hook(self, step: str) -> Hook | None:
        choice = self.hook_choice(step)
        if choice.get("kind") != "existing" or not choice.get("hook"):
            return None
        return writer.usable(self.user, Hook).filter(pk=choice["hook"]).first()

    def draft(self) -> PlanDraft | None:
        """What the plan checks read; None until the providers are chosen."""
        source, target = self.source, self.target
        if source is None or target is None:
            return None
        network = {p.source_id: p.destination for p in self.pairs("network") if p.mapped}
        storage = {p.source_id: {"storageClass": p.storage_class, "volumeMode": p.volume_mode}
                   for p in self.pairs("storage") if p.mapped}
        names = {k: v for k, v in self.part("names").items() if v}
        return PlanDraft(source=source, target=target, target_namespace=self.general.get("target_namespace", ""),
                         vm_ids=self.vm_ids, network_map=network, storage_map=storage, warm=self.warm,
                         target_names=names)


def from_plan(plan: Plan) -> dict:
    """The wizard's data for editing an existing plan."""
    vms = list(plan.vms.prefetch_related("hooks"))
    hooks = {}
    for step in HOOK_STEPS:
        used = {next((h.hook_id for h in vm.hooks.all() if h.step == step), None) for vm in vms}
        if used == {None} or not used:
            hooks[step] = {"kind": "none"}
        elif len(used) == 1:
            hooks[step] = {"kind": "existing", "hook": used.pop()}
        else:
            hooks[step] = {"kind": "keep"}
    return {
        "general": {"name": plan.name, "description": plan.description, "namespace": plan.namespace,
                    "source": plan.source_provider_id, "target": plan.destination_provider_id,
                    "target_namespace": plan.target_namespace, "transfer_network": plan.transfer_network},
        "vms": {"ids": [vm.vm_id for vm in vms], "filter": {}, "critical_ok": True},
        **{name: {"mode": "existing", "map": getattr(plan, f"{kind.plan_field}_id")} for name, kind in KINDS.items()},
        "type": {"warm": plan.warm, "skip_guest_conversion": plan.skip_guest_conversion},
        "hooks": hooks,
        "names": {vm.vm_id: vm.target_name for vm in vms if vm.target_name},
    }

"""The wizard's steps, in order. Each step

* `apply(choices, post, files)` — takes its part of a posted form into the data and returns
  `{field: [messages]}` for what must be fixed before going on (empty: go on);
* `problems(choices)` — the same verdict for data already kept, so the navigation knows which
  steps are done and the review can say what is missing;
* `context(choices)` — what its template shows.

A step only ever reports its own fields: an error here never marks an earlier step failed.
"""

from __future__ import annotations

import hashlib

from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.urls import reverse

from mappings import rows as map_rows
from mappings.kinds import KINDS, NETWORK, STORAGE, MapKind
from mappings.targets import target_networks
from mtvweb.validators import validate_object_name
from mtvweb.views.generic import namespaces_allowed
from plans import conversion, writer
from plans.checks import CRITICAL, check_plan
from plans.models import Hook, Plan
from plans.tenancy import is_reserved
from plans.wizard import vms as vm_step
from plans.wizard.state import HOOK_STEPS, Choices
from providers.adapters import adapter_class, target_types
from providers.inventory.visible import visible_inventory
from providers.models import InventoryObject, Provider

Errors = dict[str, list[str]]


def _error(errors: Errors, field: str, text: str) -> None:
    errors.setdefault(field, []).append(text)


class Step:
    name = ""
    title = ""

    def apply(self, choices: Choices, post, files) -> Errors:
        """Keep the posted values; return notes about them (not the step's problems)."""
        return {}

    def problems(self, choices: Choices) -> Errors:
        return {}

    def context(self, choices: Choices) -> dict:
        return {}


# --- general -------------------------------------------------------------------------------


class General(Step):
    name, title = "general", "General"
    FIELDS = ("name", "description", "namespace", "source", "target", "target_namespace", "transfer_network")

    def __init__(self, plan: Plan | None = None):
        self.plan = plan

    def apply(self, choices, post, files):
        part = choices.general
        before = (str(part.get("source") or ""), str(part.get("target") or ""))
        for field in self.FIELDS:
            if field in post:
                part[field] = post.get(field, "").strip()
        if str(part.get("source") or "") != before[0]:
            # Another source: its VMs, networks and storage are all different.
            choices.data["vms"] = {}
            for name in KINDS:
                choices.data[name] = {}
        elif str(part.get("target") or "") != before[1]:
            for name in KINDS:
                choices.data[name] = {}
        return {}

    # The plan writer's fields → this step's.
    FIELD_NAMES = {"destination": "target"}

    def problems(self, choices):
        part = choices.general
        if self.plan is not None:
            part["namespace"] = self.plan.namespace
        found = writer.general_problems(
            choices.user, name=part.get("name", ""), namespace=part.get("namespace", ""), source=choices.source,
            destination=choices.target, target_namespace=part.get("target_namespace", ""),
            transfer_network=part.get("transfer_network", ""), instance=self.plan)
        return {self.FIELD_NAMES.get(key, key): texts for key, texts in found.items()}

    def context(self, choices):
        user, target = choices.user, choices.target
        providers = writer.usable(user, Provider).order_by("name")
        allowed = namespaces_allowed(user, Plan, "add")
        namespaces = sorted(allowed) if allowed is not None else None
        existing = []
        nads = []
        if target is not None:
            # Only namespaces the user may migrate into: theirs, and none of the cluster's own.
            existing = sorted(name for name in visible_inventory(user, target, InventoryObject, "use")
                              .filter(kind="folder").values_list("name", flat=True)
                              if user.is_superuser or not is_reserved(name))
            nads = [n.value for n in target_networks(target, user)]
        default_transfer = (target.settings or {}).get("transferNetwork", "") if target else ""
        return {"providers": providers, "targets": providers.filter(type__in=target_types()),
                "plan_namespaces": namespaces, "target_namespaces": existing, "nads": nads,
                "editing": self.plan is not None, "default_transfer": default_transfer,
                "new_target_namespace": bool(choices.general.get("target_namespace"))
                and choices.general.get("target_namespace") not in existing and target is not None}


# --- virtual machines ------------------------------------------------------------------------


class VMs(Step):
    name, title = "vms", "Virtual machines"

    def apply(self, choices, post, files):
        part = choices.part("vms")
        source = choices.source
        action = post.get("action", "")
        if source is None:
            return {}
        ids = part.get("ids", [])
        if "filter_name" in post:
            part["filter"] = vm_step.read_filter(post)
        if "shown" in post:  # the checkboxes of the page on screen (of VMs the user may migrate)
            shown, checked = post.getlist("shown"), set(post.getlist("vm"))
            usable = vm_step.usable_ids(choices.user, source, shown)
            shown = [u for u in shown if u in usable]
            ids = vm_step.merged(ids, add=[u for u in shown if u in checked], remove=[u for u in shown
                                                                                       if u not in checked])
        notes: Errors = {}
        if action == "select_matching":
            ids = vm_step.merged(ids, add=vm_step.matching(choices.user, source, part.get("filter", {}))
                                 .values_list("uid", flat=True))
        elif action == "clear":
            ids = []
        elif action == "paste":
            found, missing, ambiguous = vm_step.resolve_names(choices.user, source,
                                                              vm_step.names_in(post.get("names", "")))
            ids = vm_step.merged(ids, add=found)
            if missing:
                _error(notes, "names", f"Not in the inventory of {source.name}: {', '.join(missing)}.")
            if ambiguous:
                _error(notes, "names", f"Several VMs share these names, select them in the table instead: "
                                       f"{', '.join(ambiguous)}.")
        if set(ids) != set(part.get("ids", [])):
            part["critical_ok"] = False
        part["ids"] = ids
        if "critical_ok" in post:
            part["critical_ok"] = post.get("critical_ok") == "1"
        return notes

    def problems(self, choices):
        part, source = choices.part("vms"), choices.source
        if source is None:
            return {"vms": ["Choose the source provider in the General step first."]}
        if not part.get("ids"):
            return {"vms": [writer.NO_VMS]}
        critical = vm_step.critical_names(choices.user, source, part["ids"])
        if critical and not part.get("critical_ok"):
            return {"critical_ok": [f"{len(critical)} selected VM{'s have' if len(critical) > 1 else ' has'} Critical "
                                    f"concerns ({', '.join(critical[:5])}{'…' if len(critical) > 5 else ''}): confirm "
                                    "that you want to include them, or deselect them."]}
        return {}

    @staticmethod
    def describe(summary) -> str:
        disks = summary.disk_bytes
        return (f"{summary.cpus} vCPU · {filesizeformat(summary.memory_bytes)} · {len(disks)} disk"
                f"{'s' if len(disks) != 1 else ''} ({filesizeformat(sum(disks))}) · {summary.nics} NIC"
                f"{'s' if summary.nics != 1 else ''}")

    def context(self, choices, page_number=1):
        source, part = choices.source, choices.part("vms")
        if source is None:
            return {}
        chosen = part.get("filter", {})
        page = vm_step.page_of(choices.user, source, chosen, page_number)
        selected = set(part.get("ids", []))
        adapter = adapter_class(source.type)
        rows = [{"vm": vm, "selected": vm.uid in selected, "summary": self.describe(adapter.vm_summary(vm.data))}
                for vm in page.object_list]
        return {"source": source, "page": page, "rows": rows, "filter": chosen, "selected_count": len(selected),
                "matching_count": page.paginator.count,
                "critical": vm_step.critical_names(choices.user, source, list(selected)),
                **vm_step.filter_choices(choices.user, source)}


# --- network and storage maps ------------------------------------------------------------------


class MapStep(Step):
    kind: MapKind  # the step's name is the kind's

    def used(self, choices) -> list[str]:
        return self.kind.used(choices.source, choices.vm_ids)

    def basis(self, choices) -> str:
        ids = ",".join(sorted(choices.vm_ids))
        return hashlib.sha1(f"{choices.general.get('source')}:{choices.general.get('target')}:{ids}:"
                            f"{choices.general.get('target_namespace')}".encode()).hexdigest()

    def candidates(self, choices):
        """Reusable maps for these providers in the plan's project (and the plan's own map)."""
        return writer.usable(choices.user, self.kind.model).filter(
            namespace=choices.general.get("namespace", ""), source_provider_id=choices.general.get("source"),
            destination_provider_id=choices.general.get("target")).order_by("name")

    def prepare(self, choices) -> None:
        """New rows for every network or storage the VMs use, suggested once per set of VMs; rows
        the user already chose for a source are kept."""
        part = choices.part(self.name)
        source, target = choices.source, choices.target
        if source is None or target is None:
            return
        part.setdefault("mode", "new" if not self.candidates(choices).exists() else "existing")
        if part.get("basis") == self.basis(choices):
            return
        suggested = self.kind.suggest(source, target, self.used(choices), choices.general.get("target_namespace", ""),
                                      user=choices.user)
        kept = {p["source_id"]: p for p in part.get("pairs", []) if p.get("source_id")}
        part["pairs"] = [kept.get(p.source_id) or p.to_json() for p in suggested]
        part["basis"] = self.basis(choices)
        if part.get("mode") == "existing" and not part.get("map"):
            first = self.candidates(choices).first()
            part["map"] = first.pk if first else None

    def apply(self, choices, post, files):
        part = choices.part(self.name)
        part["mode"] = "existing" if post.get("mode") == "existing" else "new"
        if part["mode"] == "existing":
            part["map"] = int(post["map"]) if post.get("map", "").isdigit() else None
        elif post.get("rows_shown"):  # the page showed the new map's rows: take them as they are now
            edited = map_rows.edit_rows(self.kind, post, choices.source, choices.target,  # fills in source names
                                        choices.user)
            part["pairs"] = [r.pair.to_json() for r in edited]
            part["defaults_for"] = [r.defaults_for for r in edited]
            part["basis"] = self.basis(choices)  # the user's rows now stand for these VMs' suggestion
        part["template"] = post.get("template") == "1"
        part["template_name"] = post.get("template_name", "").strip()
        return {}

    def problems(self, choices):
        errors: Errors = {}
        part = choices.part(self.name)
        if choices.source is None or choices.target is None:
            return {"mode": ["Choose the source and target providers in the General step first."]}
        what = f"{self.kind} map"
        if part.get("mode") == "existing":
            if problem := writer.map_problem(self.kind, choices.chosen_map(self.name), choices.source, choices.target,
                                             choices.general.get("namespace", "")):
                _error(errors, "map", problem)
            return errors
        pairs = choices.pairs(self.name)
        row_errors = self.kind.validate(choices.source, choices.target, pairs, user=choices.user)
        if row_errors:
            _error(errors, "pairs", f"Fix the rows marked below: {self.describe(row_errors)}")
        if part.get("template"):
            name = part.get("template_name", "")
            if not name:
                _error(errors, "template_name", f"Name the {what} to save it as a template.")
            elif self.kind.model.objects.filter(namespace=choices.general.get("namespace"), name=name).exists():
                _error(errors, "template_name", f"A {what} named {name} already exists in project "
                                                f"{choices.general.get('namespace')}: choose another name.")
            else:
                try:
                    validate_object_name(name)
                except ValidationError as exc:
                    _error(errors, "template_name", " ".join(exc.messages))
        return errors

    @staticmethod
    def describe(row_errors) -> str:
        return " ".join(f"Row {index + 1}: {' '.join(m for ms in fields.values() for m in ms)}"
                        for index, fields in sorted(row_errors.items()))

    def unmapped(self, choices) -> list[str]:
        """Sources the selected VMs use that the map leaves without a target."""
        mapped = {p.source_id for p in choices.pairs(self.name) if p.mapped}
        endpoints = {e.id: e.label for e in self.kind.sources(choices.source, choices.user)}
        return [endpoints.get(i, i) for i in self.used(choices) if i not in mapped]

    def context(self, choices):
        source, target = choices.source, choices.target
        if source is None or target is None:
            return {}
        self.prepare(choices)
        part = choices.part(self.name)
        rows = map_rows.from_pairs([self.kind.spec.from_json(p) for p in part.get("pairs", [])],
                                   part.get("defaults_for") or [])
        map_rows.check(self.kind, rows, source, target, choices.user)
        chosen = choices.chosen_map(self.name)
        return {"kind": self.kind, "mode": part.get("mode", "new"), "candidates": self.candidates(choices),
                "chosen": chosen, "chosen_pairs": choices.pairs(self.name) if chosen else [],
                "template": part.get("template", False), "template_name": part.get("template_name", ""),
                "unmapped": self.unmapped(choices), "used_noun": self.kind.noun(source),
                "rows_url": reverse("plans:wizard_step", args=[choices.state_pk, self.name]),
                **map_rows.context(self.kind, source, target, rows, choices.user)}


class NetworkMapStep(MapStep):
    kind, name, title = NETWORK, NETWORK.name, "Network map"


class StorageMapStep(MapStep):
    kind, name, title = STORAGE, STORAGE.name, "Storage map"


# --- migration type --------------------------------------------------------------------------


class MigrationType(Step):
    name, title = "type", "Migration type"

    def apply(self, choices, post, files):
        part = choices.part("type")
        part["warm"] = post.get("warm") == "1"
        if conversion.converts(choices.source):  # elsewhere the box is not shown and the option changes nothing
            part["skip_guest_conversion"] = post.get("skip_guest_conversion") == "1"
        return {}

    def problems(self, choices):
        refusal = writer.warm_problem(choices.source, choices.warm)
        return {"warm": [refusal]} if refusal else {}

    def context(self, choices):
        source = choices.source
        supported = source is not None and adapter_class(source.type).supports_warm
        return {"warm": choices.warm, "warm_supported": supported,
                "warm_reason": "" if supported or source is None else writer.warm_problem(source, True),
                "skip_guest_conversion": choices.skip_guest_conversion, "converts": conversion.converts(source),
                "skip_help": conversion.SKIP_HELP,
                "conversion_not_needed": "" if source is None else conversion.not_needed(source)}


# --- hooks ---------------------------------------------------------------------------------------


class Hooks(Step):
    name, title = "hooks", "Hooks"
    KINDS = ("none", "existing", "playbook", "image", "keep")

    def apply(self, choices, post, files):
        hooks = choices.part("hooks")
        for step in HOOK_STEPS:
            kind = post.get(f"{step}-kind", "none")
            choice = {"kind": kind if kind in self.KINDS else "none",
                      "hook": int(post[f"{step}-hook"]) if post.get(f"{step}-hook", "").isdigit() else None,
                      "playbook": post.get(f"{step}-playbook", "").replace("\r\n", "\n"), "image": post.get(f"{step}-image", "").strip()}
            upload = files.get(f"{step}-upload") if files else None
            if upload is not None:
                try:
                    choice["playbook"] = upload.read().decode().replace("\r\n", "\n")
                    choice["kind"] = "playbook"
                except UnicodeDecodeError:
                    return {f"{step}-playbook": [f"{upload.name} is not a text file: upload the playbook's YAML."]}
            hooks[step] = choice
        return {}

    def problems(self, choices):
        errors: Errors = {}
        for step in HOOK_STEPS:
            choice = choices.hook_choice(step)
            kind = choice.get("kind", "none")
            if kind == "existing":
                hook = choices.existing_hook(step)
                problem = writer.hook_namespace_problem(hook, choices.general.get("namespace", "")) if hook else \
                    "Choose one of the project's hooks."
                if problem:
                    _error(errors, f"{step}-hook", problem)
            elif kind in ("playbook", "image"):
                image = Hook.DEFAULT_IMAGE if kind == "playbook" else choice.get("image", "")
                playbook = choice.get("playbook", "") if kind == "playbook" else ""
                for key, texts in writer.hook_problems(image, playbook, playbook_required=kind == "playbook").items():
                    errors[f"{step}-{key}"] = texts
        return errors

    def context(self, choices):
        namespace = choices.general.get("namespace", "")
        existing = writer.usable(choices.user, Hook).filter(namespace=namespace).order_by("name")
        return {"hook_steps": [(step, "Before migration (PreHook)" if step == "PreHook" else
                                "After migration (PostHook)", choices.hook_choice(step)) for step in HOOK_STEPS],
                "existing_hooks": existing, "default_image": Hook.DEFAULT_IMAGE}


# --- review --------------------------------------------------------------------------------------


class Review(Step):
    name, title = "review", "Review and create"

    def apply(self, choices, post, files):
        names = choices.part("names")
        for vm_id in choices.vm_ids:
            if f"target-{vm_id}" in post:
                names[vm_id] = post.get(f"target-{vm_id}", "").strip()
        return self.problems(choices)

    def problems(self, choices):
        errors: Errors = {}
        for vm_id, value in choices.part("names").items():
            if vm_id in choices.vm_ids and (problem := writer.target_name_problem(value)):
                _error(errors, f"target-{vm_id}", problem)
        return errors

    def context(self, choices):
        draft = choices.draft()
        if draft is None:
            return {}
        result = check_plan(draft)
        names = choices.part("names")
        vms = {vm.uid: vm for vm in writer.usable_vms(choices.user, draft.source).filter(uid__in=draft.vm_ids)}
        rows = [{"id": uid, "name": vms[uid].name if uid in vms else uid, "chosen": names.get(uid, ""),
                 "automatic": result.target_names.get(uid, ""),
                 "findings": [f for f in result.findings if uid in vms and f.vm == vms[uid].name]}
                for uid in draft.vm_ids]
        return {"result": result, "vm_rows": rows, "critical": [f for f in result.findings if f.category == CRITICAL],
                "plan_findings": [f for f in result.findings if not f.vm], "draft": draft,
                "network_pairs": choices.pairs("network"), "storage_pairs": choices.pairs("storage"),
                "conversion": conversion.meaning(draft.source, choices.skip_guest_conversion),
                "hooks": {step: choices.hook_choice(step) for step in HOOK_STEPS},
                "existing_hooks": {step: choices.existing_hook(step) for step in HOOK_STEPS}}


def all_steps(plan: Plan | None = None) -> list[Step]:
    return [General(plan), VMs(), NetworkMapStep(), StorageMapStep(), MigrationType(), Hooks(), Review()]

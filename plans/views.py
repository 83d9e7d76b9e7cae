"""Plan pages (guide §4.8, §4.9): the list with bulk actions and CSV export, the plan with its
tabs, and the actions (start, duplicate, archive, delete; editing is the wizard's). What is
allowed and why not comes from plans.actions, as for the API."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.functional import cached_property
from django.views import View

from mtvweb.views import generic
from mtvweb.views.bulk import ObjectBulkView, Refused
from plans import actions, conversion, exports, logs, manifests, migration_status
from plans.api.records import vm_records
from plans.filters import PlanFilter
from plans.forms import DuplicateForm
from plans.models import Plan
from plans.tables import PlanTable, with_list_columns

PLANS = Plan.objects.select_related("source_provider", "destination_provider", "network_map", "storage_map")
TABS = [("details", "Details", "plans:plan"), ("vms", "Virtual machines", "plans:plan_vms"),
        ("mappings", "Mappings", "plans:plan_mappings"), ("hooks", "Hooks", "plans:plan_hooks"),
        ("yaml", "YAML", "plans:plan_yaml")]


def wizard_url(step: str, *args) -> str:
    """The wizard's page for creating ("new") or editing ("edit", pk) a plan."""
    return reverse(f"plans:wizard_{step}", args=args)


class PlanListView(generic.ObjectListView):
    queryset = PLANS
    table = PlanTable
    filterset = PlanFilter
    template_name = "plans/plan_list.html"

    @property
    def add_url(self):
        return wizard_url("new")

    def get_queryset(self):
        return with_list_columns(super().get_queryset())

    @cached_property
    def run_namespaces(self):
        """Where the user may start plans (None: everywhere)."""
        return generic.namespaces_allowed(self.request.user, Plan, "run")

    bulk_actions = [("archive", "Archive", "secondary"), ("delete", "Delete", "danger")]

    def selectable(self):
        return self.run_namespaces is None or bool(self.run_namespaces)

    def table_kwargs(self):
        return {"run_namespaces": self.run_namespaces, "user": self.request.user}

    def list_context(self):
        query = self.request.GET.urlencode()
        return {"export_url": reverse("plans:plan_list_csv") + (f"?{query}" if query else "")}


class PlanListExportView(PlanListView):
    def get(self, request):
        _, qs = self.filtered()
        return exports.plans_csv(qs.order_by("namespace", "name"))


class PlanBulkView(ObjectBulkView):
    """Archive or delete the selected plans, with the plan actions' rules and messages."""

    queryset = PLANS
    bulk_actions = {"archive": "Archived", "delete": "Deleted"}

    def refusal(self, plan, action):
        refused = actions.refusal(self.request.user, plan, action)
        return refused[1] if refused else ""

    def warning(self, plan, action):
        return actions.delete_warning(plan) if action == "delete" else ""

    def note(self, action):
        if action == "archive":
            return actions.ARCHIVE_NOTE
        return "This cannot be undone. The plans' maps and hooks stay for other plans to use."

    def perform(self, plan, action):
        try:
            actions.perform(self.request.user, plan, action)
        except actions.ActionRefused as exc:
            raise Refused(exc.message) from None


class PlanPageMixin(generic.ObjectPermissionMixin):
    queryset = PLANS

    def get_plan(self, pk) -> Plan:
        return self.object_for(pk)

    def actions_context(self, plan) -> dict:
        return {"object": plan, "verdicts": actions.available(self.request.user, plan),
                "edit_url": wizard_url("edit", plan.pk), "start_label": actions.start_label(plan)}

    def plan_context(self, plan, tab) -> dict:
        tabs = [(name, label, reverse(url, args=[plan.pk])) for name, label, url in TABS]
        return {**self.actions_context(plan), "tab": tab, "tabs": tabs, "vm_count": plan.vms.count(),
                "last_run": actions.last_run_status(plan)}


class PlanView(PlanPageMixin, View):
    """The plan page; `tab` picks what it shows."""

    def get(self, request, pk, tab="details"):
        plan = self.get_plan(pk)
        context = self.plan_context(plan, tab)
        context.update(getattr(self, f"{tab}_context")(plan))
        return render(request, f"plans/plan_{tab}.html", context)

    def details_context(self, plan):
        return {**migrations_context(plan), **progress_context(plan, self.request.user),
                "conversion": conversion.meaning(plan.source_provider, plan.skip_guest_conversion)}

    def vms_context(self, plan):
        return {"vms": vm_records(plan)}

    def mappings_context(self, plan):
        return {"network_pairs": plan.network_map.pairs.all() if plan.network_map else [],
                "storage_pairs": plan.storage_map.pairs.all() if plan.storage_map else []}

    def hooks_context(self, plan):
        uses = {}
        for vm in plan.vms.prefetch_related("hooks__hook"):
            for use in vm.hooks.all():
                uses.setdefault((use.step, use.hook.pk), {"step": use.step, "hook": use.hook, "vms": []})
                uses[(use.step, use.hook.pk)]["vms"].append(vm.name)
        return {"hook_uses": sorted(uses.values(), key=lambda u: (u["step"] != "PreHook", u["hook"].name))}

    def yaml_context(self, plan):
        return {"yaml": manifests.plan_yaml(plan)}


def progress_context(plan, user) -> dict:
    latest = plan.migrations.first()
    if latest is None:
        return {"progress": None, "vm_rows": []}
    return {"progress": migration_status.summary(latest), "vm_rows": migration_status.vm_rows(latest),
            "can_cancel": actions.may(user, plan, "start"), "logs": logs.state(plan),
            "can_get_logs": Plan.objects.restrict(user, "run").filter(pk=plan.pk).exists()}


def migrations_context(plan) -> dict:
    return {"migrations": plan.migrations.all()[:20]}


# The parts of the plan page a migration changes, each fetched again when the plan rings
# (plans/live.py), for users who may view the plan.

class PlanProgressView(PlanPageMixin, View):
    """The latest migration's progress block."""

    def get(self, request, pk):
        plan = self.get_plan(pk)
        return render(request, "plans/migration_progress.html", {"object": plan, **progress_context(plan, request.user)})


class PlanMigrationsView(PlanPageMixin, View):
    """The Migrations table: each run's start, end and status."""

    def get(self, request, pk):
        plan = self.get_plan(pk)
        return render(request, "plans/migration_table.html", {"object": plan, **migrations_context(plan)})


class PlanActionsView(PlanPageMixin, View):
    """The page's action buttons (Start turns to Restart, Archive is allowed once a run ends)."""

    def get(self, request, pk):
        return render(request, "plans/plan_actions.html", self.actions_context(self.get_plan(pk)))


class PlanYAMLDownloadView(PlanPageMixin, View):
    def get(self, request, pk):
        plan = self.get_plan(pk)
        response = HttpResponse(manifests.plan_yaml(plan), content_type="application/yaml; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="plan-{plan.name}.yaml"'
        return response


class PlanVMExportView(PlanPageMixin, View):
    def get(self, request, pk):
        return exports.vms_csv(self.get_plan(pk))


class PlanActionView(PlanPageMixin, View):
    """GET: what the action will do (or why it cannot); POST: do it. A role that does not allow
    the action gets 403, like the API."""

    plan_action = None
    template_name = "plans/plan_confirm.html"

    def get_plan(self, pk):
        return self.object_for(pk, actions.ACCESS[self.plan_action], verb=self.plan_action)

    def page(self, request, plan, form=None, status=200):
        allowed, reason = actions.RULES[self.plan_action](plan)
        context = {**self.plan_context(plan, None), "action": self.plan_action, "allowed": allowed,
                   "reason": reason, "form": form, **self.explain(plan)}
        return render(request, self.template_name, context, status=status)

    def explain(self, plan) -> dict:
        return {}

    def get(self, request, pk):
        return self.page(request, self.get_plan(pk))

    def post(self, request, pk):
        plan = self.get_plan(pk)
        try:
            url = self.act(request, plan)
        except actions.ActionRefused as exc:
            messages.error(request, exc.message)
            url = plan.get_absolute_url()
        return generic.redirect(request, url)


class PlanStartView(PlanActionView):
    plan_action = "start"

    def explain(self, plan):
        return {"summary": f"Start migrating the {plan.vms.count()} VMs of {plan.name} from "
                           f"{plan.source_provider.name} to {plan.destination_provider.name} "
                           f"({'warm' if plan.warm else 'cold'}), into project {plan.target_namespace}."}

    def act(self, request, plan):
        migration = actions.start(request.user, plan)
        messages.success(request, f"Started plan {plan.name}: migration #{migration.pk} is Pending.")
        return plan.get_absolute_url()


class PlanCancelView(PlanPageMixin, View):
    """Cancel the VMs ticked in the progress block (guide §4.10)."""

    def post(self, request, pk):
        plan = self.get_plan(pk)
        migration = plan.migrations.first()
        ids = request.POST.getlist("vm")
        if migration is None or not ids:
            messages.error(request, "Tick the VMs to cancel first.")
            return generic.redirect(request, plan.get_absolute_url())
        try:
            names = actions.cancel(request.user, migration, ids)
        except actions.ActionRefused as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"Canceled {', '.join(names) or 'nothing (those VMs had already ended)'}: "
                                      "what they created is being removed and their sources restored.")
        return generic.redirect(request, plan.get_absolute_url())


class PlanLogsView(PlanPageMixin, View):
    """POST: prepare a log archive of the plan (or of one VM: `vm`); GET: download the ready one."""

    def post(self, request, pk):
        # Preparing an archive queues work and writes to disk: it takes the role that runs the plan.
        plan = self.object_for(pk, "run", verb="get the logs of")
        logs.request(plan, request.POST.get("vm", ""))
        messages.info(request, "Preparing the logs: Download logs appears here when the archive is ready.")
        return generic.redirect(request, plan.get_absolute_url())

    def get(self, request, pk):
        plan = self.get_plan(pk)
        current = logs.state(plan)
        if current.get("state") != "ready":
            raise Http404("No log archive is ready for this plan: click Get logs first.")
        path = logs.directory(plan) / current["file"]
        return FileResponse(open(path, "rb"), as_attachment=True, filename=current["file"],
                            content_type="application/gzip")


class PlanArchiveView(PlanActionView):
    plan_action = "archive"

    def explain(self, plan):
        return {"note": actions.ARCHIVE_NOTE}

    def act(self, request, plan):
        actions.archive(request.user, plan)
        messages.success(request, f"Archived plan {plan.name}: it is read-only now.")
        return plan.get_absolute_url()


class PlanDeleteView(PlanActionView):
    plan_action = "delete"

    def explain(self, plan):
        kept = [f"network map {m.name}" for m in [plan.network_map] if m] + \
               [f"storage map {m.name}" for m in [plan.storage_map] if m] + ["its hooks"]
        return {"warning": actions.delete_warning(plan),
                "note": "This cannot be undone. Its VM list and migration history go with it; its "
                        f"{', '.join(kept)} stay for other plans to use."}

    def act(self, request, plan):
        name = actions.delete(request.user, plan)
        messages.success(request, f"Deleted plan {name}.")
        return reverse("plans:plan_list")


class PlanDuplicateView(PlanActionView):
    plan_action = "duplicate"
    template_name = "plans/plan_duplicate.html"

    def get(self, request, pk):
        plan = self.get_plan(pk)
        return self.page(request, plan, DuplicateForm(plan=plan))

    def post(self, request, pk):
        plan = self.get_plan(pk)
        form = DuplicateForm(request.POST, plan=plan)
        if not form.is_valid():
            return self.page(request, plan, form, status=422)
        try:
            copy = actions.duplicate(request.user, plan, form.cleaned_data["name"])
        except ValidationError as exc:  # the name was taken since the form was checked
            form.add_error("name", exc)
            return self.page(request, plan, form, status=422)
        messages.success(request, f"Created plan {copy.name}, a copy of {plan.name}.")
        return generic.redirect(request, copy.get_absolute_url())

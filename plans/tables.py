import django_tables2 as tables
from django.db.models import Count, OuterRef, Subquery
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from mtvweb.tables import SelectableTable
from plans import actions
from plans.models import Migration, Plan

RUN_COLOURS = {"Pending": "blue", "Running": "blue", "Succeeded": "green", "Failed": "red", "Canceled": "orange"}


def with_list_columns(queryset):
    """The VM count and the latest migration's status, in the list's one query."""
    last = Migration.objects.filter(plan=OuterRef("pk")).order_by("-created", "-pk").values("status")[:1]
    return queryset.annotate(vm_count=Count("vms", distinct=True), last_run_status=Subquery(last))


def label(text, colour, testid=""):
    return format_html('<span class="pf-v6-c-label pf-m-compact pf-m-{}"{}><span class="pf-v6-c-label__content">'
                       '<span class="pf-v6-c-label__text">{}</span></span></span>', colour,
                       format_html(' data-testid="{}"', testid) if testid else "", text)


class PlanTable(SelectableTable):
    name = tables.Column()
    namespace = tables.Column(verbose_name="Project")
    providers = tables.Column(empty_values=(), verbose_name="Source → target", order_by=("source_provider__name",))
    vm_count = tables.Column(verbose_name="VMs")
    status = tables.Column(empty_values=(), order_by=("archived", "status"))
    progress = tables.Column(empty_values=(), verbose_name="Progress", order_by=("last_run_status",))
    description = tables.Column()
    start = tables.Column(empty_values=(), verbose_name="", orderable=False)

    class Meta:
        model = Plan
        fields = ["pk", "name", "namespace", "providers", "vm_count", "status", "progress", "description", "start"]
        empty_text = "No plans yet."

    def __init__(self, *args, run_namespaces=(), user=None, **kwargs):
        """run_namespaces: where the user may start plans (None: everywhere). Viewers get neither
        selection boxes nor start buttons."""
        writable = run_namespaces is None or bool(run_namespaces)
        super().__init__(*args, selectable=writable, exclude=() if writable else ("start",), **kwargs)
        self.run_namespaces = run_namespaces
        self.user = user

    def render_name(self, record):
        return format_html('<a href="{}" data-testid="plan-{}" style="white-space:nowrap">{}</a>',
                           record.get_absolute_url(), record.name, record.name)

    def render_namespace(self, value):
        return format_html('<span style="white-space:nowrap">{}</span>', value)

    def render_providers(self, record):
        return format_html('<span style="white-space:nowrap"><a href="{}">{}</a> → <a href="{}">{}</a></span>',
                           record.source_provider.get_absolute_url(), record.source_provider.name,
                           record.destination_provider.get_absolute_url(), record.destination_provider.name)

    def render_status(self, record):
        return render_to_string("plans/status_cell.html", {"plan": record})

    def render_progress(self, record):
        run = actions.last_run_status(record)
        if run is None:
            return mark_safe('<span class="mtv-help">Not started</span>')  # noqa: S308 - constant text
        badge = label(run, RUN_COLOURS.get(run, "grey"), f"progress-{record.name}")
        latest = record.migrations.first()
        states = list(latest.vms.values_list("status", flat=True)) if latest else []
        done = sum(s in ("Succeeded", "Failed", "Canceled") for s in states)
        failed = states.count("Failed")
        if not states or (run == "Succeeded" and not failed):
            return badge
        detail = f"{done} of {len(states)} VMs done" + (f", {failed} failed" if failed else "")
        return format_html('{} <div class="mtv-help" data-testid="progress-detail-{}">{}</div>', badge, record.name,
                           detail)

    def render_start(self, record):
        if self.run_namespaces is not None and record.namespace not in self.run_namespaces:
            return ""
        allowed, reason = actions.can_start_as(self.user, record)
        return render_to_string("plans/action_button.html", {
            "label": actions.start_label(record), "testid": f"start-{record.name}", "allowed": allowed, "reason": reason,
            "url": reverse("plans:plan_start", args=[record.pk]), "style": "secondary", "small": True})

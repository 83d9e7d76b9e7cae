"""Tables of a provider's inventory (the tabs of the provider page). What a record holds
differs by provider type; each type's adapter summarises it (vm_summary, storage_summary)."""

import django_tables2 as tables
from django.template.defaultfilters import filesizeformat
from django.utils.html import format_html, format_html_join

from providers.models import InventoryObject, VirtualMachine

CONCERN_COLOURS = {3: "red", 2: "orange", 1: "blue"}


class VMTable(tables.Table):
    """Cells are rendered in Python, not templates: the table must stay fast on 10,000 VMs."""

    name = tables.Column(order_by=("name",))
    concerns = tables.Column(empty_values=(), verbose_name="Concerns",
                             order_by=("-concern_level", "-concern_count", "name"))
    power_state = tables.Column(verbose_name="Power")
    host = tables.Column(empty_values=(), verbose_name="Host", orderable=False)
    cpu = tables.Column(empty_values=(), verbose_name="CPUs", orderable=False)
    memory = tables.Column(empty_values=(), verbose_name="Memory", orderable=False)
    disks = tables.Column(empty_values=(), verbose_name="Disks", orderable=False)
    nics = tables.Column(empty_values=(), verbose_name="NICs", orderable=False)

    class Meta:
        model = VirtualMachine
        fields = ["name", "concerns", "power_state", "host", "cpu", "memory", "disks", "nics"]
        empty_text = "No virtual machines match."

    def __init__(self, *args, adapter, host_names=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.adapter = adapter
        self.host_names = host_names or {}

    def summary(self, record):
        if not hasattr(record, "_summary"):
            record._summary = self.adapter.vm_summary(record.data)
        return record._summary

    def render_name(self, record):
        return format_html('<span data-testid="vm-{}">{}</span><div class="mtv-help">{}</div>',
                           record.uid, record.name, record.path)

    def render_concerns(self, record):
        if not record.concern_count:
            text = "None" if record.revision_validated else "Not validated yet"
            return format_html('<span class="mtv-help">{}</span>', text)
        items = format_html_join("", "<li><strong>{}</strong>: {}<div class=\"mtv-help\">{}</div></li>", (
            (c.get("category", ""), c.get("label", ""), c.get("assessment", "")) for c in record.concerns))
        return format_html(
            '<details class="mtv-concerns"><summary><span class="pf-v6-c-label pf-m-compact pf-m-{}">'
            '<span class="pf-v6-c-label__content"><span class="pf-v6-c-label__text">{} · {}</span></span></span>'
            "</summary><ul>{}</ul></details>",
            CONCERN_COLOURS.get(record.concern_level, "blue"), record.get_concern_level_display(),
            record.concern_count, items)

    def render_host(self, record):
        return self.host_names.get(record.host_uid, record.host_uid or "—")

    def render_cpu(self, record):
        return self.summary(record).cpus

    def render_memory(self, record):
        return filesizeformat(self.summary(record).memory_bytes)

    def render_disks(self, record):
        disks = self.summary(record).disk_bytes
        return f"{len(disks)} · {filesizeformat(sum(disks))}" if disks else "0"

    def render_nics(self, record):
        return self.summary(record).nics


class InventoryObjectTable(tables.Table):
    name = tables.Column()
    path = tables.Column()

    class Meta:
        model = InventoryObject
        fields = ["name", "path"]
        empty_text = "Nothing here."


class StorageTable(InventoryObjectTable):
    capacity = tables.Column(empty_values=(), orderable=False)
    free = tables.Column(empty_values=(), orderable=False)

    class Meta(InventoryObjectTable.Meta):
        fields = ["name", "path", "capacity", "free"]

    def __init__(self, *args, adapter, **kwargs):
        super().__init__(*args, **kwargs)
        self.summarize = adapter.storage_summary

    def render_capacity(self, record):
        return filesizeformat(self.summarize(record.data).capacity)

    def render_free(self, record):
        return filesizeformat(self.summarize(record.data).free)

"""Tables of a provider's inventory (the tabs of the provider page). What a record holds
differs by provider type; each type's adapter summarises it (vm_summary, storage_summary)."""

import django_tables2 as tables
from django.template.defaultfilters import filesizeformat

from providers.models import InventoryObject, VirtualMachine


class VMTable(tables.Table):
    name = tables.TemplateColumn(template_name="providers/vm_name_cell.html", order_by=("name",))
    concerns = tables.TemplateColumn(template_name="providers/vm_concerns_cell.html", verbose_name="Concerns",
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
        self.summarize = adapter.vm_summary
        self.host_names = host_names or {}

    def render_host(self, record):
        return self.host_names.get(record.host_uid, record.host_uid or "—")

    def render_cpu(self, record):
        return self.summarize(record.data).cpus

    def render_memory(self, record):
        return filesizeformat(self.summarize(record.data).memory_bytes)

    def render_disks(self, record):
        disks = self.summarize(record.data).disk_bytes
        return f"{len(disks)} · {filesizeformat(sum(disks))}" if disks else "0"

    def render_nics(self, record):
        return self.summarize(record.data).nics


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

"""Tables of a provider's inventory (the tabs of the provider page)."""

import django_tables2 as tables
from django.template.defaultfilters import filesizeformat

from providers.models import InventoryObject, VirtualMachine


class VMTable(tables.Table):
    name = tables.TemplateColumn(template_name="providers/vm_name_cell.html", order_by=("name",))
    concerns = tables.TemplateColumn(template_name="providers/vm_concerns_cell.html", verbose_name="Concerns",
                                     order_by=("-concern_level", "-concern_count", "name"))
    power_state = tables.Column(verbose_name="Power")
    host = tables.Column(empty_values=(), verbose_name="Host", orderable=False)
    cpu = tables.Column(accessor="data__cpuCount", verbose_name="CPUs", orderable=False)
    memory = tables.Column(accessor="data__memoryMB", verbose_name="Memory", orderable=False)
    disks = tables.Column(empty_values=(), verbose_name="Disks", orderable=False)
    nics = tables.Column(empty_values=(), verbose_name="NICs", orderable=False)

    class Meta:
        model = VirtualMachine
        fields = ["name", "concerns", "power_state", "host", "cpu", "memory", "disks", "nics"]
        empty_text = "No virtual machines match."
        attrs = {"data-testid": "vm-table"}

    def __init__(self, *args, host_names=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.host_names = host_names or {}

    def render_host(self, record):
        return self.host_names.get(record.host_uid, record.host_uid or "—")

    def render_memory(self, value):
        return filesizeformat((value or 0) * 1024 * 1024)

    def render_disks(self, record):
        disks = record.data.get("disks") or []
        return f"{len(disks)} · {filesizeformat(sum(d.get('capacity', 0) for d in disks))}" if disks else "0"

    def render_nics(self, record):
        return len(record.data.get("nics") or [])


class InventoryObjectTable(tables.Table):
    name = tables.Column()
    path = tables.Column()

    class Meta:
        model = InventoryObject
        fields = ["name", "path"]
        empty_text = "Nothing here."


class StorageTable(InventoryObjectTable):
    capacity = tables.Column(accessor="data__capacity", orderable=False)
    free = tables.Column(accessor="data__free", orderable=False)

    def render_capacity(self, value):
        return filesizeformat(value or 0)

    def render_free(self, value):
        return filesizeformat(value or 0)

    class Meta(InventoryObjectTable.Meta):
        fields = ["name", "path", "capacity", "free"]

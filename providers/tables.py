import django_tables2 as tables
from django.contrib.humanize.templatetags.humanize import naturaltime

from mtvweb.tables import SelectableTable
from providers.inventory.visible import visible_counts
from providers.models import Provider


def count(label):
    """What the user sees of the provider's inventory (visible_counts: a count is a leak too)."""
    return tables.Column(accessor="pk", orderable=False, verbose_name=label)


class ProviderTable(SelectableTable):
    name = tables.Column(linkify=True)
    namespace = tables.Column(verbose_name="Project")
    type = tables.Column()
    status = tables.TemplateColumn(template_name="providers/status_cell.html")
    url = tables.Column(verbose_name="Endpoint")
    vms = count("VMs")
    hosts = count("Hosts")
    networks = count("Networks")
    storage = count("Storage")
    last_refresh = tables.Column(verbose_name="Inventory updated")

    class Meta:
        model = Provider
        fields = ["pk", "name", "namespace", "type", "status", "url", "vms", "hosts", "networks", "storage", "last_refresh"]
        empty_text = "No providers yet."

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.seen = {}

    def counted(self, record, kind):
        if record.pk not in self.seen:
            self.seen[record.pk] = visible_counts(self.user, record)
        return self.seen[record.pk].get(kind, 0)

    def render_vms(self, record):
        return self.counted(record, "vm")

    def render_hosts(self, record):
        return self.counted(record, "host")

    def render_networks(self, record):
        return self.counted(record, "network")

    def render_storage(self, record):
        return self.counted(record, "storage")

    def render_last_refresh(self, value):
        return naturaltime(value)

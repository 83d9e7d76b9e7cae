import django_tables2 as tables
from django.contrib.humanize.templatetags.humanize import naturaltime

from mtvweb.tables import SelectableTable
from providers.models import Provider


def count(kind, label):
    return tables.Column(accessor=f"counts__{kind}", default=0, orderable=False, verbose_name=label)


class ProviderTable(SelectableTable):
    name = tables.Column(linkify=True)
    namespace = tables.Column(verbose_name="Project")
    type = tables.Column()
    status = tables.TemplateColumn(template_name="providers/status_cell.html")
    url = tables.Column(verbose_name="Endpoint")
    vms = count("vm", "VMs")
    hosts = count("host", "Hosts")
    networks = count("network", "Networks")
    storage = count("storage", "Storage")
    last_refresh = tables.Column(verbose_name="Inventory updated")

    class Meta:
        model = Provider
        fields = ["pk", "name", "namespace", "type", "status", "url", "vms", "hosts", "networks", "storage", "last_refresh"]
        empty_text = "No providers yet."

    def render_last_refresh(self, value):
        return naturaltime(value)

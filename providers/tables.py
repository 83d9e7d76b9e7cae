import django_tables2 as tables

from providers.models import Provider


class ProviderTable(tables.Table):
    name = tables.Column(linkify=True)
    namespace = tables.Column(verbose_name="Project")
    type = tables.Column()
    status = tables.TemplateColumn(template_name="providers/status_cell.html")
    url = tables.Column(verbose_name="Endpoint")

    class Meta:
        model = Provider
        fields = ["name", "namespace", "type", "status", "url"]
        empty_text = "No providers yet."

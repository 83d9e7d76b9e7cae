import django_tables2 as tables

from plans.models import Plan


class PlanTable(tables.Table):
    name = tables.Column(linkify=True)
    namespace = tables.Column(verbose_name="Project")
    source_provider = tables.Column(verbose_name="Source provider", linkify=True)
    destination_provider = tables.Column(verbose_name="Target provider", linkify=True)
    target_namespace = tables.Column(verbose_name="Target project")
    description = tables.Column()

    class Meta:
        model = Plan
        fields = ["name", "namespace", "source_provider", "destination_provider", "target_namespace", "description"]
        empty_text = "No plans yet."

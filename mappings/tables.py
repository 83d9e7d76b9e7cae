import django_tables2 as tables

from mappings.models import NetworkMap, StorageMap
from mtvweb.tables import SelectableTable

MAP_FIELDS = ["pk", "name", "namespace", "source_provider", "destination_provider", "pair_count", "created"]


class NetworkMapTable(SelectableTable):
    name = tables.Column(linkify=True)
    namespace = tables.Column(verbose_name="Project")
    source_provider = tables.Column(verbose_name="Source provider", linkify=True)
    destination_provider = tables.Column(verbose_name="Target provider", linkify=True)
    pair_count = tables.Column(verbose_name="Mappings")

    class Meta:
        model = NetworkMap
        fields = MAP_FIELDS
        empty_text = "No network maps yet."


class StorageMapTable(NetworkMapTable):
    class Meta(NetworkMapTable.Meta):
        model = StorageMap
        empty_text = "No storage maps yet."

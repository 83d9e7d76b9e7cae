from mappings.models import NetworkMap, StorageMap
from mtvweb.forms import NamespacedForm
from providers.models import Provider

MAP_FIELDS = ["name", "namespace", "source_provider", "destination_provider"]


class MapForm(NamespacedForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        visible = Provider.objects.restrict(self.user, "view")
        self.fields["source_provider"].queryset = visible
        self.fields["destination_provider"].queryset = visible.filter(type=Provider.Type.OPENSHIFT)


class NetworkMapForm(MapForm):
    class Meta:
        model = NetworkMap
        fields = MAP_FIELDS


class StorageMapForm(MapForm):
    class Meta:
        model = StorageMap
        fields = MAP_FIELDS

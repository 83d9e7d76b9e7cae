import django_filters

from mappings.models import NetworkMap, StorageMap


class NetworkMapFilter(django_filters.FilterSet):
    name = django_filters.CharFilter(lookup_expr="icontains", label="Name")

    class Meta:
        model = NetworkMap
        fields = ["name"]


class StorageMapFilter(NetworkMapFilter):
    class Meta(NetworkMapFilter.Meta):
        model = StorageMap

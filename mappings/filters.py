import django_filters

from mappings.models import NetworkMap, StorageMap
from mtvweb.filters import NAME_SEARCH


class NetworkMapFilter(django_filters.FilterSet):
    name = django_filters.CharFilter(lookup_expr="icontains", label="Name", widget=NAME_SEARCH)

    class Meta:
        model = NetworkMap
        fields = ["name"]


class StorageMapFilter(NetworkMapFilter):
    class Meta(NetworkMapFilter.Meta):
        model = StorageMap

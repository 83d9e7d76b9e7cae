import django_filters

from mtvweb.filters import NAME_SEARCH
from providers.models import Provider


class ProviderFilter(django_filters.FilterSet):
    name = django_filters.CharFilter(lookup_expr="icontains", label="Name", widget=NAME_SEARCH)
    type = django_filters.ChoiceFilter(choices=Provider.Type.choices, empty_label="All types")

    class Meta:
        model = Provider
        fields = ["name", "type"]

import django_filters

from providers.models import Provider


class ProviderFilter(django_filters.FilterSet):
    name = django_filters.CharFilter(lookup_expr="icontains", label="Name")
    type = django_filters.ChoiceFilter(choices=Provider.Type.choices)

    class Meta:
        model = Provider
        fields = ["name", "type"]

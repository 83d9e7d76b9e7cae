import django_filters

from mtvweb.filters import NAME_SEARCH
from plans.models import Plan


class PlanFilter(django_filters.FilterSet):
    name = django_filters.CharFilter(lookup_expr="icontains", label="Name", widget=NAME_SEARCH)

    class Meta:
        model = Plan
        fields = ["name"]

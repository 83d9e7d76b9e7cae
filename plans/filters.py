import django_filters

from plans.models import Plan


class PlanFilter(django_filters.FilterSet):
    name = django_filters.CharFilter(lookup_expr="icontains", label="Name")

    class Meta:
        model = Plan
        fields = ["name"]

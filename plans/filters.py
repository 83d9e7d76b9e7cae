import django_filters
from django import forms

from mtvweb.filters import NAME_SEARCH
from plans.models import Plan
from providers.models import Provider

STATES = [("Ready", "Ready"), ("NotReady", "Not ready"), ("Archived", "Archived")]


def select(label):
    return forms.Select(attrs={"aria-label": label})


class PlanFilter(django_filters.FilterSet):
    name = django_filters.CharFilter(lookup_expr="icontains", label="Name", widget=NAME_SEARCH)
    state = django_filters.ChoiceFilter(choices=STATES, method="filter_state", label="Status",
                                        empty_label="Any status", widget=select("Status"))
    source_type = django_filters.ChoiceFilter(field_name="source_provider__type", choices=Provider.Type.choices,
                                              label="Source type", empty_label="Any source type",
                                              widget=select("Source type"))
    warm = django_filters.ChoiceFilter(choices=[("false", "Cold"), ("true", "Warm")], method="filter_warm",
                                       label="Migration type", empty_label="Cold or warm",
                                       widget=select("Migration type"))

    class Meta:
        model = Plan
        fields = ["name", "state", "source_type", "warm"]

    def filter_state(self, queryset, name, value):
        if value == "Archived":
            return queryset.filter(archived=True)
        return queryset.filter(archived=False, status=value)

    def filter_warm(self, queryset, name, value):
        return queryset.filter(warm=value == "true")

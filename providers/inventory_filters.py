import django_filters

from mtvweb.filters import NAME_SEARCH
from providers.inventory.visible import visible_inventory
from providers.models import InventoryObject, VirtualMachine

CONCERN_CHOICES = [("3", "Critical"), ("2", "Warning or worse"), ("1", "Any concern"), ("0", "No concerns")]


class VMFilter(django_filters.FilterSet):
    """Filters for the VM table. Every filter runs in the database, over all pages."""

    name = django_filters.CharFilter(lookup_expr="icontains", label="Name", widget=NAME_SEARCH, method="filter_name")
    power_state = django_filters.ChoiceFilter(label="Power state", empty_label="Any power state")
    concern = django_filters.ChoiceFilter(choices=CONCERN_CHOICES, method="filter_concern", label="Concerns",
                                          empty_label="Any concerns")
    host = django_filters.ChoiceFilter(field_name="host_uid", label="Host", empty_label="Any host")
    folder = django_filters.ChoiceFilter(field_name="folder_uid", label="Folder", empty_label="Any folder")

    class Meta:
        model = VirtualMachine
        fields = ["name", "power_state", "concern", "host", "folder"]

    def __init__(self, *args, provider, user, **kwargs):
        """The queryset: the provider's VMs the user may see; the choices are only of those too."""
        super().__init__(*args, **kwargs)
        objects = visible_inventory(user, provider, InventoryObject)
        states = self.queryset.order_by().values_list("power_state", flat=True).distinct()
        self.filters["power_state"].extra["choices"] = [(s, s) for s in sorted(set(states)) if s]
        self.filters["host"].extra["choices"] = list(objects.filter(kind="host").values_list("uid", "name"))
        self.filters["folder"].extra["choices"] = list(objects.filter(kind="folder").values_list("uid", "path"))
        for name in ("host", "folder"):
            if not self.filters[name].extra["choices"]:
                del self.filters[name]

    def filter_name(self, queryset, name, value):
        return queryset.filter(name__icontains=value)

    def filter_concern(self, queryset, name, value):
        level = int(value)
        return queryset.filter(concern_level=0) if level == 0 else queryset.filter(concern_level__gte=level)

from mtvweb.views import generic
from providers.filters import ProviderFilter
from providers.forms import ProviderForm
from providers.models import Provider
from providers.tables import ProviderTable


class ProviderListView(generic.ObjectListView):
    queryset = Provider.objects.all()
    table = ProviderTable
    filterset = ProviderFilter


class ProviderView(generic.ObjectView):
    queryset = Provider.objects.all()


class ProviderEditView(generic.ObjectEditView):
    queryset = Provider.objects.all()
    form = ProviderForm


class ProviderDeleteView(generic.ObjectDeleteView):
    queryset = Provider.objects.all()

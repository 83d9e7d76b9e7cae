from mappings import filters, forms, tables
from mappings.models import NetworkMap, StorageMap
from mtvweb.views import generic


class NetworkMapListView(generic.ObjectListView):
    queryset = NetworkMap.objects.select_related("source_provider", "destination_provider")
    table = tables.NetworkMapTable
    filterset = filters.NetworkMapFilter


class NetworkMapView(generic.ObjectView):
    queryset = NetworkMap.objects.all()


class NetworkMapEditView(generic.ObjectEditView):
    queryset = NetworkMap.objects.all()
    form = forms.NetworkMapForm


class NetworkMapDeleteView(generic.ObjectDeleteView):
    queryset = NetworkMap.objects.all()


class StorageMapListView(generic.ObjectListView):
    queryset = StorageMap.objects.select_related("source_provider", "destination_provider")
    table = tables.StorageMapTable
    filterset = filters.StorageMapFilter


class StorageMapView(generic.ObjectView):
    queryset = StorageMap.objects.all()


class StorageMapEditView(generic.ObjectEditView):
    queryset = StorageMap.objects.all()
    form = forms.StorageMapForm


class StorageMapDeleteView(generic.ObjectDeleteView):
    queryset = StorageMap.objects.all()

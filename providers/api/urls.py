"""Inventory routes; each accepts an optional trailing slash, as the guide's examples use both."""

from django.urls import re_path

from providers.api import inventory

TYPE = r"(?P<provider_type>[a-z]+)"
UID = r"(?P<uid>[0-9a-f-]{36})"
NAME = r"(?P<{}>[^/]+)"

urlpatterns = [
    re_path(r"^providers/?$", inventory.ProvidersView.as_view(), name="inventory-providers"),
    re_path(rf"^providers/{TYPE}/?$", inventory.ProvidersView.as_view(), name="inventory-providers-of-type"),
    re_path(rf"^providers/{TYPE}/{UID}/?$", inventory.ProviderDetailView.as_view(), name="inventory-provider"),
    re_path(rf"^providers/{TYPE}/{UID}/workloads/{NAME.format('object_id')}/?$", inventory.WorkloadView.as_view(),
            name="inventory-workload"),
    re_path(rf"^providers/{TYPE}/{UID}/{NAME.format('collection')}/?$", inventory.CollectionView.as_view(),
            name="inventory-collection"),
    re_path(rf"^providers/{TYPE}/{UID}/{NAME.format('collection')}/{NAME.format('object_id')}/?$",
            inventory.ObjectView.as_view(), name="inventory-object"),
]

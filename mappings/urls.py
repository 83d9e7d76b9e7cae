from django.urls import include, path

from mappings import views
from mtvweb.urlhelpers import crud_urls

app_name = "mappings"
urlpatterns = [
    path("networkmaps/", include(crud_urls(
        "networkmap", views.NetworkMapListView, views.NetworkMapView, views.NetworkMapEditView,
        views.NetworkMapDeleteView, views.NetworkMapBulkView,
    ))),
    path("networkmaps/rows/", views.NetworkMapRowsView.as_view(), name="networkmap_rows"),
    path("storagemaps/", include(crud_urls(
        "storagemap", views.StorageMapListView, views.StorageMapView, views.StorageMapEditView,
        views.StorageMapDeleteView, views.StorageMapBulkView,
    ))),
    path("storagemaps/rows/", views.StorageMapRowsView.as_view(), name="storagemap_rows"),
]

from django.urls import include, path

from mappings import views
from mtvweb.urlhelpers import crud_urls

app_name = "mappings"
urlpatterns = [
    path("networkmaps/", include(crud_urls(
        "networkmap", views.NetworkMapListView, views.NetworkMapView, views.NetworkMapEditView,
        views.NetworkMapDeleteView,
    ))),
    path("storagemaps/", include(crud_urls(
        "storagemap", views.StorageMapListView, views.StorageMapView, views.StorageMapEditView,
        views.StorageMapDeleteView,
    ))),
]

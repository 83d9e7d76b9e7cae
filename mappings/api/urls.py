from django.urls import path

from mappings.api import views

urlpatterns = [
    path("networkmaps/", views.NetworkMapListAPI.as_view(), name="api-networkmaps"),
    path("networkmaps/<int:pk>/", views.NetworkMapDetailAPI.as_view(), name="api-networkmap"),
    path("storagemaps/", views.StorageMapListAPI.as_view(), name="api-storagemaps"),
    path("storagemaps/<int:pk>/", views.StorageMapDetailAPI.as_view(), name="api-storagemap"),
]

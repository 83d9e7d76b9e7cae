from django.urls import include, path

from mtvweb.api.views import openapi
from providers.api import providers

urlpatterns = [
    path("openapi.yaml", openapi, name="openapi"),
    path("providers/", providers.ProviderListAPI.as_view(), name="api-providers"),
    path("providers/<int:pk>/", providers.ProviderDetailAPI.as_view(), name="api-provider"),
    path("", include("mappings.api.urls")),
    path("plans/", include("plans.api.urls")),
    path("hooks/", include("plans.api.hook_urls")),
]

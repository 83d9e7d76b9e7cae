from django.urls import path

from mtvweb.urlhelpers import crud_urls
from providers import views, views_inventory, views_rules

app_name = "providers"
urlpatterns = crud_urls(
    "provider", views.ProviderListView, views.ProviderView, views.ProviderEditView, views.ProviderDeleteView,
    views.ProviderBulkView,
) + [
    path("<str:provider_type>/thumbprint/", views.ThumbprintView.as_view(), name="thumbprint"),
    path("rules/", views_rules.RuleListView.as_view(), name="rules"),
    path("rules/add/", views_rules.RuleEditView.as_view(), name="rule_add"),
    path("rules/<int:pk>/", views_rules.RuleEditView.as_view(), name="rule_edit"),
    path("rules/<int:pk>/delete/", views_rules.RuleDeleteView.as_view(), name="rule_delete"),
    path("<int:pk>/refresh/", views.ProviderRefreshView.as_view(), name="provider_refresh"),
    path("<int:pk>/test/", views.ProviderTestView.as_view(), name="provider_test"),
    path("<int:pk>/status/", views_inventory.ProviderStatusView.as_view(), name="provider_status"),
    path("<int:pk>/hosts/<str:host_id>/", views_inventory.HostSettingView.as_view(), name="host_setting"),
    path("<int:pk>/<str:tab>/", views_inventory.ProviderInventoryView.as_view(), name="provider_inventory"),
]

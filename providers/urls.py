from mtvweb.urlhelpers import crud_urls
from providers import views

app_name = "providers"
urlpatterns = crud_urls(
    "provider", views.ProviderListView, views.ProviderView, views.ProviderEditView, views.ProviderDeleteView
)

from django.contrib.auth import views as auth_views
from django.urls import include, path

from mtvweb.views import login, overview
from providers.api.validation import RulesVersionView

urlpatterns = [
    path("", overview.home, name="home"),
    path("login/", login.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("overview/", overview.OverviewView.as_view(), name="overview"),
    path("overview/settings/<str:name>/", overview.SettingEditView.as_view(), name="setting_edit"),
    path("providers/", include("providers.urls")),
    path("", include("mappings.urls")),
    path("plans/", include("plans.urls")),
    # The inventory service's routes (Forklift's paths; guide §5.2, §6.3).
    path("inventory/", include("providers.api.urls")),
    path("api/", include("mtvweb.api.urls")),
    path("validation/v1/data/io/konveyor/forklift/<str:package>/rules_version", RulesVersionView.as_view(),
         name="rules-version"),
]
handler400 = "mtvweb.errors.bad_request"

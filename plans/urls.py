from django.urls import include, path

from mtvweb.urlhelpers import crud_urls
from plans import views

app_name = "plans"
urlpatterns = crud_urls("plan", views.PlanListView, views.PlanView, views.PlanEditView, views.PlanDeleteView) + [
    path("", include("plans.wizard.urls")),
]

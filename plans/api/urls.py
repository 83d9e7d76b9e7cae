"""Plan routes under /api/plans/ (included by mtvweb/api/urls.py)."""

from django.urls import path

from plans.api import views

urlpatterns = [
    path("", views.PlanListAPI.as_view(), name="api-plans"),
    path("bulk/", views.PlanBulkAPI.as_view(), name="api-plans-bulk"),
    path("<int:pk>/", views.PlanDetailAPI.as_view(), name="api-plan"),
    path("<int:pk>/start/", views.PlanStartAPI.as_view(), name="api-plan-start"),
    path("<int:pk>/migrations/", views.PlanMigrationsAPI.as_view(), name="api-plan-migrations"),
    path("<int:pk>/cancel/", views.PlanCancelAPI.as_view(), name="api-plan-cancel"),
    path("<int:pk>/duplicate/", views.PlanDuplicateAPI.as_view(), name="api-plan-duplicate"),
    path("<int:pk>/archive/", views.PlanArchiveAPI.as_view(), name="api-plan-archive"),
    path("<int:pk>/yaml/", views.PlanYAMLAPI.as_view(), name="api-plan-yaml"),
]

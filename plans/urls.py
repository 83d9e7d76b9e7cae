from django.urls import include, path

from plans import views

app_name = "plans"
urlpatterns = [
    path("", views.PlanListView.as_view(), name="plan_list"),
    path("export.csv", views.PlanListExportView.as_view(), name="plan_list_csv"),
    path("bulk/", views.PlanBulkView.as_view(), name="plan_bulk"),
    path("<int:pk>/", views.PlanView.as_view(), name="plan"),
    path("<int:pk>/progress/", views.PlanProgressView.as_view(), name="plan_progress"),
    path("<int:pk>/migrations/", views.PlanMigrationsView.as_view(), name="plan_migrations"),
    path("<int:pk>/actions/", views.PlanActionsView.as_view(), name="plan_actions"),
    path("<int:pk>/logs/", views.PlanLogsView.as_view(), name="plan_logs"),
    path("<int:pk>/cancel/", views.PlanCancelView.as_view(), name="plan_cancel"),
    path("<int:pk>/vms/", views.PlanView.as_view(), {"tab": "vms"}, name="plan_vms"),
    path("<int:pk>/mappings/", views.PlanView.as_view(), {"tab": "mappings"}, name="plan_mappings"),
    path("<int:pk>/hooks/", views.PlanView.as_view(), {"tab": "hooks"}, name="plan_hooks"),
    path("<int:pk>/yaml/", views.PlanView.as_view(), {"tab": "yaml"}, name="plan_yaml"),
    path("<int:pk>/yaml/download/", views.PlanYAMLDownloadView.as_view(), name="plan_yaml_download"),
    path("<int:pk>/vms.csv", views.PlanVMExportView.as_view(), name="plan_vms_csv"),
    path("<int:pk>/start/", views.PlanStartView.as_view(), name="plan_start"),
    path("<int:pk>/duplicate/", views.PlanDuplicateView.as_view(), name="plan_duplicate"),
    path("<int:pk>/archive/", views.PlanArchiveView.as_view(), name="plan_archive"),
    path("<int:pk>/delete/", views.PlanDeleteView.as_view(), name="plan_delete"),
    path("", include("plans.wizard.urls")),
]

"""Hook routes under /api/hooks/ (included by mtvweb/api/urls.py)."""

from django.urls import path

from plans.api import hooks

urlpatterns = [
    path("", hooks.HookListAPI.as_view(), name="api-hooks"),
    path("<int:pk>/", hooks.HookDetailAPI.as_view(), name="api-hook"),
]

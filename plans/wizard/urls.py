# The wizard's routes, included by plans/urls.py.
from django.urls import path

from plans.wizard import views

urlpatterns = [
    path("new/", views.WizardNewView.as_view(), name="wizard_new"),
    path("<int:pk>/edit/", views.WizardEditView.as_view(), name="wizard_edit"),
    path("wizard/<int:pk>/<str:step>/", views.WizardStepView.as_view(), name="wizard_step"),
]

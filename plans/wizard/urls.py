# The wizard's routes, included by plans/urls.py (URL names: plans:wizard_new, plans:wizard_edit,
# plans:wizard_step).
urlpatterns = []

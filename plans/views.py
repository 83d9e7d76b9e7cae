from mtvweb.views import generic
from plans.filters import PlanFilter
from plans.forms import PlanForm
from plans.models import Plan
from plans.tables import PlanTable


class PlanListView(generic.ObjectListView):
    queryset = Plan.objects.select_related("source_provider", "destination_provider")
    table = PlanTable
    filterset = PlanFilter


class PlanView(generic.ObjectView):
    queryset = Plan.objects.select_related("source_provider", "destination_provider")

    def extra_context(self, obj):
        return {"migrations": obj.migrations.all()[:20]}


class PlanEditView(generic.ObjectEditView):
    queryset = Plan.objects.all()
    form = PlanForm


class PlanDeleteView(generic.ObjectDeleteView):
    queryset = Plan.objects.all()

from mtvweb.forms import NamespacedForm
from plans.models import Plan
from providers.models import Provider


class PlanForm(NamespacedForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        visible = Provider.objects.restrict(self.user, "view")
        self.fields["source_provider"].queryset = visible
        self.fields["destination_provider"].queryset = visible.filter(type=Provider.Type.OPENSHIFT)

    class Meta:
        model = Plan
        fields = ["name", "namespace", "description", "source_provider", "destination_provider", "target_namespace"]

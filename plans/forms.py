from django import forms

from plans.actions import validate_new_name
from plans.models import Plan


def free_name(plan: Plan) -> str:
    """A suggestion for a copy's name: <name>-copy, -copy-2, … whichever is free."""
    base, n = f"{plan.name}-copy"[:245], 1
    candidate = base
    while Plan.objects.filter(namespace=plan.namespace, name=candidate).exists():
        n += 1
        candidate = f"{base}-{n}"
    return candidate


class DuplicateForm(forms.Form):
    name = forms.CharField(label="Name of the new plan", max_length=253,
                           help_text="Lower-case letters, digits, '-' and '.'; the copy stays in the same project.")

    def __init__(self, *args, plan: Plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.plan = plan
        if not self.is_bound:
            self.initial["name"] = free_name(plan)

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        validate_new_name(self.plan.namespace, name)
        return name

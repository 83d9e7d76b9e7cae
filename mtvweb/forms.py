from django import forms

from mtvweb.models import Namespace
from plans.settings import ControllerSettings


class NamespacedForm(forms.ModelForm):
    """A ModelForm for a NamespacedObject that only offers namespaces the user may write to.

    `namespaces` is the list of allowed names, or None for admins, who may also type a new one.
    """

    def __init__(self, *args, user=None, namespaces=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        field = self.fields["namespace"]
        if namespaces is None:
            field.widget = forms.TextInput(attrs={"list": "namespace-options"})
            field.help_text = "An existing project, or a new name to create it."
            self.namespace_options = list(Namespace.objects.values_list("name", flat=True))
        else:
            current = self.instance.namespace if self.instance.pk else None
            choices = sorted(set(namespaces) | ({current} if current else set()))
            self.fields["namespace"] = forms.ChoiceField(choices=[(n, n) for n in choices], label="Project")
            self.namespace_options = []
        self.fields["namespace"].label = "Project"


class BulkForm(forms.Form):
    """The action and the objects ticked in a list (mtvweb.views.bulk)."""

    action = forms.ChoiceField()
    pk = forms.ModelMultipleChoiceField(queryset=None)

    def __init__(self, *args, queryset, actions, plural, **kwargs):
        super().__init__(*args, **kwargs)
        names = list(actions)
        self.fields["action"].choices = [(a, a.capitalize()) for a in names]
        self.fields["action"].error_messages["invalid_choice"] = f"Choose {' or '.join(names)}."
        self.fields["pk"].queryset = queryset
        self.fields["pk"].error_messages.update({
            "required": f"Select the {plural} first: tick the box next to each.",
            "invalid_choice": f"A selected {queryset.model._meta.verbose_name} no longer exists or is not yours to "
                              "see; reload the list.",
            "invalid_pk_value": f"A selected {queryset.model._meta.verbose_name} no longer exists; reload the list."})


class SettingForm(forms.ModelForm):
    """One setting of the overview page, edited in place."""

    def __init__(self, *args, field_name, **kwargs):
        super().__init__(*args, **kwargs)
        for name in list(self.fields):
            if name != field_name:
                del self.fields[name]
        field = self.fields[field_name]
        if isinstance(field, forms.IntegerField):
            # The model's own bounds, not the generic "≥ 0" of a positive integer field.
            field.validators = list(ControllerSettings._meta.get_field(field_name).validators)
            label = field.label.replace("%", "%%")  # the message is %-formatted with the limit
            field.error_messages["min_value"] = f"{label} must be at least %(limit_value)s."
            field.error_messages["max_value"] = f"{label} must be at most %(limit_value)s."
            for attr in ("min", "max"):
                field.widget.attrs.pop(attr, None)  # let the server say what is wrong, not the browser

    class Meta:
        model = ControllerSettings
        fields = ControllerSettings.EDITABLE

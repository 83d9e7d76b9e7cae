"""Validation rules in the console (cluster admins only): the defaults, read-only, and custom
rules that are checked before they are accepted."""

from django import forms
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.views import View

from mtvweb.views.overview import AdminOnlyMixin
from providers.models import Provider, ValidationRule
from providers.validation.custom import RuleRejected, delete_rule, save_rule
from providers.validation.rules import default_modules, package_name, packages, rules_version

EXAMPLE = '''package {package}

has_multiple_disks if count(input.disks) > 1

concerns contains flag if {{
	has_multiple_disks
	flag := {{
		"category": "Information",
		"label": "Multiple disks detected",
		"assessment": "Multiple disks detected on this VM.",
	}}
}}
'''


class RuleForm(forms.ModelForm):
    provider_type = forms.ChoiceField(choices=lambda: [(t, label) for t, label in Provider.Type.choices
                                                       if t in packages()])

    class Meta:
        model = ValidationRule
        fields = ["provider_type", "name", "description", "source", "enabled"]
        widgets = {"source": forms.Textarea(attrs={"rows": 18, "class": "mtv-code", "spellcheck": "false"})}


def rule_sets():
    for provider_type, label in Provider.Type.choices:
        if provider_type not in packages():
            continue
        defaults = sorted(name.split("/", 1)[1] for name in default_modules(provider_type)
                          if not name.endswith("rules_version.rego"))
        yield {"type": provider_type, "label": label, "package": package_name(provider_type),
               "version": rules_version(provider_type), "defaults": defaults,
               "custom": ValidationRule.objects.filter(provider_type=provider_type)}


class RuleListView(AdminOnlyMixin, View):
    def get(self, request):
        return render(request, "providers/rules.html", {"rule_sets": list(rule_sets())})


class RuleEditView(AdminOnlyMixin, View):
    def get_rule(self, pk):
        return get_object_or_404(ValidationRule, pk=pk) if pk else ValidationRule(provider_type=Provider.Type.values[0])

    def get(self, request, pk=None):
        rule = self.get_rule(pk)
        initial = {} if pk else {"source": EXAMPLE.format(package=package_name(rule.provider_type))}
        return render(request, "providers/rule_edit.html", {"form": RuleForm(instance=rule, initial=initial),
                                                            "object": rule})

    def post(self, request, pk=None):
        rule = self.get_rule(pk)
        form = RuleForm(request.POST, instance=rule)
        if form.is_valid():
            try:
                save_rule(form.instance, request.user)
            except RuleRejected as exc:
                form.add_error("source", str(exc))
            else:
                messages.success(request, f"Saved rule {rule}. {rule.get_provider_type_display()} VMs are being "
                                          f"validated again with rules version {rules_version(rule.provider_type)}.")
                return redirect("providers:rules")
        return render(request, "providers/rule_edit.html", {"form": form, "object": rule}, status=422)


class RuleDeleteView(AdminOnlyMixin, View):
    def post(self, request, pk):
        rule = get_object_or_404(ValidationRule, pk=pk)
        delete_rule(rule)
        messages.success(request, f"Removed rule {rule}; VMs are being validated again.")
        return redirect("providers:rules")

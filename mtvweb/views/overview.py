"""The admins' overview page (guide §4.2) with the settings list (§4.3) edited in place."""

from django.contrib.auth.mixins import LoginRequiredMixin, UserPassesTestMixin
from django.db.models import Count
from django.http import Http404
from django.shortcuts import redirect, render
from django.views import View

from mtvweb.forms import SettingForm
from plans.models import Migration, MigrationVM, RunStatus
from plans.settings import ControllerSettings

COUNTED = [RunStatus.RUNNING, RunStatus.FAILED, RunStatus.SUCCEEDED, RunStatus.CANCELED]


def status_counts(queryset) -> dict:
    by_status = dict(queryset.values_list("status").annotate(n=Count("pk")).order_by())
    counts = {"Total": sum(by_status.values())}
    counts.update({status.label: by_status.get(status.value, 0) for status in COUNTED})
    return counts


def home(request):
    if request.user.is_authenticated and request.user.is_superuser:
        return redirect("overview")
    return redirect("plans:plan_list")


class AdminOnlyMixin(LoginRequiredMixin, UserPassesTestMixin):
    def test_func(self):
        return self.request.user.is_superuser


def setting_rows(settings_obj):
    for name in ControllerSettings.EDITABLE:
        field = ControllerSettings._meta.get_field(name)
        value = getattr(settings_obj, name)
        yield {"name": name, "label": field.verbose_name, "help": field.help_text,
               "value": "Disabled" if value is None else ("Yes" if value else "No") if isinstance(value, bool) else value}


class OverviewView(AdminOnlyMixin, View):
    def get(self, request):
        context = {
            "migrations": status_counts(Migration.objects.all()),
            "vm_migrations": status_counts(MigrationVM.objects.all()),
            "settings_rows": list(setting_rows(ControllerSettings.current())),
        }
        return render(request, "mtvweb/overview.html", context)


class SettingEditView(AdminOnlyMixin, View):
    """GET: the row as a small form; POST: validate and save, answering with the row again."""

    def get_field(self, name):
        if name not in ControllerSettings.EDITABLE:
            raise Http404(f"No setting named {name}")
        return name

    def row(self, settings_obj, name):
        return next(r for r in setting_rows(settings_obj) if r["name"] == name)

    def get(self, request, name):
        settings_obj = ControllerSettings.current()
        name = self.get_field(name)
        if "cancel" in request.GET:
            return render(request, "mtvweb/setting_row.html", {"row": self.row(settings_obj, name)})
        form = SettingForm(instance=settings_obj, field_name=name)
        return render(request, "mtvweb/setting_form.html", {"row": self.row(settings_obj, name), "form": form})

    def post(self, request, name):
        settings_obj = ControllerSettings.current()
        name = self.get_field(name)
        form = SettingForm(request.POST, instance=settings_obj, field_name=name)
        if not form.is_valid():
            context = {"row": self.row(settings_obj, name), "form": form}
            return render(request, "mtvweb/setting_form.html", context, status=422)
        form.save()
        return render(request, "mtvweb/setting_row.html", {"row": self.row(settings_obj, name), "saved": True})

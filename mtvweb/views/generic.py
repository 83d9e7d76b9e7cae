"""Generic views every page builds on (NetBox style).

A page is a short declaration: a queryset, and a table/filterset or a form. Access is
always `queryset.restrict(user, action)`; writes are checked again after saving, inside
the transaction, so a form cannot move an object somewhere the user may not write.
An htmx request that is not boosted gets only the partial it asked for.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import ProtectedError
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views import View
from django_htmx.http import HttpResponseClientRedirect
from django_tables2 import RequestConfig

from mtvweb.access import namespaces_for, object_for
from mtvweb.models import Namespace


def is_partial_request(request) -> bool:
    return bool(request.htmx) and not request.htmx.boosted


def redirect(request, url):
    return HttpResponseClientRedirect(url) if request.htmx else HttpResponseRedirect(url)


def model_names(model):
    return model._meta.app_label, model._meta.model_name


def namespaces_allowed(user, model, action) -> list[str] | None:
    """Namespaces where user may perform action on model; None means any (admins)."""
    if user.is_superuser:
        return None
    return list(namespaces_for(user, model, action).values_list("namespace", flat=True))


class ObjectPermissionMixin(LoginRequiredMixin):
    queryset = None
    action = "view"

    @property
    def model(self):
        return self.queryset.model

    def restricted(self, action=None):
        return self.queryset.restrict(self.request.user, action or self.action)

    def object_for(self, pk, action="view", verb=""):
        """The object if the user may do `action` on it (404 unseen, 403 seen but not allowed)."""
        return object_for(self.request.user, self.queryset, pk, action, verb)

    def can(self, action, obj=None) -> bool:
        qs = self.queryset.restrict(self.request.user, action)
        if obj is not None:
            return qs.filter(pk=obj.pk).exists()
        return self.request.user.is_superuser or bool(namespaces_allowed(self.request.user, self.model, action))

    def url(self, suffix, *args):
        app, name = model_names(self.model)
        return reverse(f"{app}:{name}{suffix}", args=args)


class ObjectListView(ObjectPermissionMixin, View):
    table = None
    filterset = None
    template_name = "generic/object_list.html"
    partial_template_name = "generic/object_table.html"
    per_page = 50
    refresh_seconds = None  # reload the table this often (from the current URL, keeping filters and sort)
    # (action, button label, button style) of the app's bulk view (mtvweb/views/bulk.py), at "<name>_bulk"
    bulk_actions: list[tuple[str, str, str]] = []

    def get_queryset(self):
        """What the user may see, in the project the page is narrowed to."""
        qs = self.restricted()
        if self.request.namespace:
            field = getattr(self.model, "namespace_field", "namespace")
            qs = qs.filter(**{field: self.request.namespace})
        return qs

    def filtered(self):
        """(the filterset or None, the rows it leaves)."""
        qs = self.get_queryset()
        filterset = self.filterset(self.request.GET, queryset=qs) if self.filterset else None
        return filterset, (filterset.qs if filterset is not None else qs)

    def selectable(self) -> bool:
        """Does the user get selection boxes (may they do a bulk action anywhere)?"""
        return any(self.can(action) for action, _, _ in self.bulk_actions)

    def table_kwargs(self) -> dict:
        return {"selectable": self.selectable()} if self.bulk_actions else {}

    def list_context(self) -> dict:
        """What the page shows beyond the table, its filters and the create button."""
        return {}

    @property
    def add_url(self) -> str:
        return self.url("_add")

    def get(self, request):
        filterset, qs = self.filtered()
        table = self.table(qs, **self.table_kwargs())
        RequestConfig(request, paginate={"per_page": self.per_page}).configure(table)
        context = {
            "model": self.model,
            "verbose_name_plural": self.model._meta.verbose_name_plural,
            "table": table,
            "filterset": filterset,
            "can_add": self.can("add"),
            "add_url": self.add_url,
            "refresh_seconds": self.refresh_seconds,
            "bulk_actions": self.bulk_actions if self.bulk_actions and self.selectable() else [],
            "bulk_url": self.url("_bulk") if self.bulk_actions else "",
            **self.list_context(),
        }
        template = self.partial_template_name if is_partial_request(request) else self.template_name
        return render(request, template, context)


class ObjectView(ObjectPermissionMixin, View):
    template_name = None

    def get_template_names(self):
        app, name = model_names(self.model)
        return [self.template_name or f"{app}/{name}.html"]

    def extra_context(self, obj) -> dict:
        return {}

    def get(self, request, pk):
        obj = self.object_for(pk)
        context = {
            "object": obj,
            "can_change": self.can("change", obj),
            "can_delete": self.can("delete", obj),
            "edit_url": self.url("_edit", obj.pk),
            "delete_url": self.url("_delete", obj.pk),
            **self.extra_context(obj),
        }
        return render(request, self.get_template_names(), context)


class ObjectEditView(ObjectPermissionMixin, View):
    """Create (no pk) or change (pk) an object through a ModelForm."""

    form = None
    template_name = "generic/object_edit.html"

    def get_object(self, pk):
        if pk is None:
            if not self.can("add"):
                raise PermissionDenied("You may not create this kind of object in any namespace.")
            return self.model()
        return self.object_for(pk, "change")

    def make_form(self, obj, data=None, files=None):
        action = "change" if obj.pk else "add"
        return self.form(data, files, instance=obj, user=self.request.user, namespaces=namespaces_allowed(
            self.request.user, self.model, action))

    def form_context(self, obj, form) -> dict:
        """What the form's template needs beyond the object and the form."""
        return {}

    def render_form(self, request, obj, form, status=200):
        context = {"object": obj, "form": form, "model": self.model,
                   "cancel_url": obj.get_absolute_url() if obj.pk else self.url("_list"), **self.form_context(obj, form)}
        return render(request, self.template_name, context, status=status)

    def get(self, request, pk=None):
        obj = self.get_object(pk)
        return self.render_form(request, obj, self.make_form(obj))

    def post(self, request, pk=None):
        obj = self.get_object(pk)
        creating = obj.pk is None
        form = self.make_form(obj, request.POST, request.FILES)
        if not form.is_valid():
            return self.render_form(request, obj, form, status=422)
        with transaction.atomic():
            obj = form.save()
            if not self.restricted("add" if creating else "change").filter(pk=obj.pk).exists():
                raise PermissionDenied(f"You may not save {obj} in namespace {obj.namespace}.")
            Namespace.objects.get_or_create(name=obj.namespace)
        messages.success(request, f"{'Created' if creating else 'Saved'} {self.model._meta.verbose_name} {obj}.")
        return redirect(request, obj.get_absolute_url())


class ObjectDeleteView(ObjectPermissionMixin, View):
    template_name = "generic/object_delete.html"

    def get_object(self, pk):
        return self.object_for(pk, "delete")

    def get(self, request, pk):
        obj = self.get_object(pk)
        return render(request, self.template_name, {"object": obj, "model": self.model})

    def post(self, request, pk):
        obj = self.get_object(pk)
        try:
            obj.delete()
        except ProtectedError as exc:
            users = ", ".join(sorted({str(o) for o in exc.protected_objects}))
            messages.error(request, f"{obj} is still used by {users}; remove those first.")
            return redirect(request, obj.get_absolute_url())
        messages.success(request, f"Deleted {self.model._meta.verbose_name} {obj}.")
        return redirect(request, self.url("_list"))

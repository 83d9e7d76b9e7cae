from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.shortcuts import render
from django.views import View

from mappings import filters, forms, rows, tables
from mappings.kinds import NETWORK, STORAGE
from mappings.models import NetworkMap, StorageMap
from mappings.usage import in_use_message, plans_using
from mtvweb.views import generic
from mtvweb.views.bulk import ObjectBulkView
from providers.adapters import target_types
from providers.models import Provider


def chosen_provider(user, value, target_only=False):
    """The provider the form names, if the user may use it (as a target: target_only); None otherwise."""
    try:
        pk = int(getattr(value, "pk", value))
    except (TypeError, ValueError):
        return None
    visible = Provider.objects.restrict(user, "use")
    if target_only:
        visible = visible.filter(type__in=target_types())
    return visible.filter(pk=pk).first()


class MapView(generic.ObjectView):
    template_name = "mappings/map.html"
    kind = None  # the mappings.kinds.MapKind shown

    def extra_context(self, obj):
        pairs = self.kind.specs_of(obj)
        problems = self.kind.validate(obj.source_provider, obj.destination_provider, pairs)
        labels = {e.id: e.label for e in self.kind.sources(obj.source_provider)}
        rows_shown = [(pair, labels.get(pair.source_id, pair.source_name or pair.source_id), problems.get(i, {}))
                      for i, pair in enumerate(pairs)]
        return {"kind": self.kind, "pairs": rows_shown,
                "plans": plans_using(obj).restrict(self.request.user, "view"),
                "in_use": in_use_message(obj, self.request.user)}


class MapEditView(generic.ObjectEditView):
    template_name = "mappings/map_edit.html"
    kind = None

    def make_form(self, obj, data=None, files=None):
        pairs = None
        if data is not None:
            self.rows = [r for r in rows.parse(self.kind, data) if not r.blank]
            pairs = [r.pair for r in self.rows]
        action = "change" if obj.pk else "add"
        form = self.form(data, files, instance=obj, user=self.request.user, pairs=pairs,
                         namespaces=generic.namespaces_allowed(self.request.user, self.model, action))
        if data is None:
            self.rows = rows.from_pairs(form.pairs)
            if not self.rows:
                rows.add_row(self.kind, self.rows)
        return form

    def render_form(self, request, obj, form, status=200):
        rows.attach_errors(self.rows, form.pair_errors)
        if form.is_bound:
            source = chosen_provider(request.user, form.data.get("source_provider"))
            target = chosen_provider(request.user, form.data.get("destination_provider"), target_only=True)
        else:
            source, target = (obj.source_provider, obj.destination_provider) if obj.pk else (None, None)
        context = {"object": obj, "form": form, "model": self.model, "rows_url": self.kind.rows_url,
                   "cancel_url": obj.get_absolute_url() if obj.pk else self.url("_list"),
                   "row_errors": bool(form.pair_errors),
                   **rows.context(self.kind, source, target, self.rows, request.user)}
        return render(request, self.template_name, context, status=status)


class MapDeleteView(generic.ObjectDeleteView):
    def post(self, request, pk):
        obj = self.get_object(pk)
        reason = in_use_message(obj, request.user)
        if reason:
            messages.error(request, reason)
            return generic.redirect(request, obj.get_absolute_url())
        return super().post(request, pk)


class MapListView(generic.ObjectListView):
    bulk_actions = [("delete", "Delete", "danger")]


class MapBulkView(ObjectBulkView):
    """Delete several maps; one a plan still uses is refused with the plans that use it."""

    def refusal(self, obj, action):
        return super().refusal(obj, action) or in_use_message(obj, self.request.user)


class MapRowsView(LoginRequiredMixin, View):
    """The editor's rows redrawn after every change: add or remove a row, new choices after a
    provider changed, storage modes defaulted for a newly chosen class, live messages."""

    kind = None

    def post(self, request):
        user, model = request.user, self.kind.model
        if generic.namespaces_allowed(user, model, "change") == []:
            raise PermissionDenied(f"You may not edit {model._meta.verbose_name_plural} in any project.")
        source = chosen_provider(user, request.POST.get("source_provider"))
        target = chosen_provider(user, request.POST.get("destination_provider"), target_only=True)
        current = rows.edit_rows(self.kind, request.POST, source, target, user)
        context = {"rows_url": self.kind.rows_url, **rows.context(self.kind, source, target, current, user)}
        return render(request, "mappings/pairs.html", context)


# --- network maps -------------------------------------------------------------------------


class NetworkMapListView(MapListView):
    queryset = NetworkMap.objects.select_related("source_provider", "destination_provider").annotate(
        pair_count=Count("pairs"))
    table = tables.NetworkMapTable
    filterset = filters.NetworkMapFilter


class NetworkMapView(MapView):
    kind = NETWORK
    queryset = NetworkMap.objects.select_related("source_provider", "destination_provider")


class NetworkMapEditView(MapEditView):
    kind = NETWORK
    queryset = NetworkMap.objects.all()
    form = forms.NetworkMapForm


class NetworkMapDeleteView(MapDeleteView):
    queryset = NetworkMap.objects.all()


class NetworkMapBulkView(MapBulkView):
    queryset = NetworkMap.objects.all()


class NetworkMapRowsView(MapRowsView):
    kind = NETWORK


# --- storage maps -------------------------------------------------------------------------


class StorageMapListView(MapListView):
    queryset = StorageMap.objects.select_related("source_provider", "destination_provider").annotate(
        pair_count=Count("pairs"))
    table = tables.StorageMapTable
    filterset = filters.StorageMapFilter


class StorageMapView(MapView):
    kind = STORAGE
    queryset = StorageMap.objects.select_related("source_provider", "destination_provider")


class StorageMapEditView(MapEditView):
    kind = STORAGE
    queryset = StorageMap.objects.all()
    form = forms.StorageMapForm


class StorageMapDeleteView(MapDeleteView):
    queryset = StorageMap.objects.all()


class StorageMapBulkView(MapBulkView):
    queryset = StorageMap.objects.all()


class StorageMapRowsView(MapRowsView):
    kind = STORAGE

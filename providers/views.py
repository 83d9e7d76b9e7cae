from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views import View

from mtvweb.views import generic
from mtvweb.views.bulk import ObjectBulkView
from providers.adapters import ProviderError, adapter_class, adapter_for, form_class
from providers.addresses import refusal
from providers.filters import ProviderFilter
from providers.inventory.visible import visible_counts
from providers.models import Provider
from providers.tables import ProviderTable
from providers.views_inventory import tabs_for

PROVIDERS = Provider.objects.all()


class ProviderListView(generic.ObjectListView):
    queryset = PROVIDERS
    table = ProviderTable
    filterset = ProviderFilter
    template_name = "providers/provider_list.html"
    refresh_seconds = 3
    bulk_actions = [("delete", "Delete", "danger")]

    def table_kwargs(self):
        return {**super().table_kwargs(), "user": self.request.user}


class ProviderView(generic.ObjectView):
    queryset = PROVIDERS

    def extra_context(self, obj):
        return {"tab": "details", "tabs": tabs_for(obj), "credential_keys": sorted(obj.credentials()),
                "counts": visible_counts(self.request.user, obj)}


class ProviderEditView(generic.ObjectEditView):
    """Create or edit a provider with its type's form; without ?type= on create, pick a type first."""

    queryset = PROVIDERS
    template_name = "providers/provider_edit.html"

    def provider_type(self, obj, data=None):
        if obj.pk:
            return obj.type
        requested = (data or {}).get("type") or self.request.GET.get("type", "")
        if requested not in Provider.Type.values:
            return None
        return requested

    def make_form(self, obj, data=None, files=None):
        kind = self.provider_type(obj, data)
        if kind is None:
            return None
        self.form = form_class(kind)
        form = super().make_form(obj, data, files)
        if data is None:
            self.prepare_rerender(form, kind)
        return form

    def prepare_rerender(self, form, kind):
        """A change of a `rerender_on` field fetches the form again with the non-secret values so far."""
        for name in form.rerender_on + form.rerender_keep:
            if name in self.request.GET:
                form.initial[name] = self.request.GET[name]
        keep = ",".join(f"[name={name}]" for name in form.rerender_on + form.rerender_keep)
        for name in form.rerender_on:
            form.fields[name].widget.attrs.update({
                "hx-get": f"{self.request.path}?type={kind}", "hx-include": keep, "hx-trigger": "change",
                "hx-target": "[data-testid=provider-form]", "hx-select": "[data-testid=provider-form]",
                "hx-swap": "outerHTML",
            })

    def render_form(self, request, obj, form, status=200):
        if form is None:
            return render(request, "providers/provider_type_choice.html", {"types": Provider.Type.choices})
        return super().render_form(request, obj, form, status)

    def form_context(self, obj, form) -> dict:
        return {"fetches_thumbprint": adapter_class(form.provider_type).fetches_thumbprint}

    def post(self, request, pk=None):
        obj = self.get_object(pk)
        if self.make_form(obj, request.POST, request.FILES) is None:
            return self.render_form(request, obj, None, status=422)
        return super().post(request, pk)


class ProviderDeleteView(generic.ObjectDeleteView):
    queryset = PROVIDERS


class ProviderBulkView(ObjectBulkView):
    queryset = PROVIDERS


class ProviderActionView(generic.ObjectPermissionMixin, View):
    """POST-only actions on one provider that need the right to change it."""

    queryset = PROVIDERS

    def get_provider(self, pk):
        return self.object_for(pk, "change")


class ProviderRefreshView(ProviderActionView):
    def post(self, request, pk):
        provider = self.get_provider(pk)
        Provider.objects.filter(pk=provider.pk).update(refresh_requested=timezone.now())
        messages.info(request, f"Reloading the inventory of {provider}.")
        return generic.redirect(request, provider.get_absolute_url())


class ProviderTestView(ProviderActionView):
    def post(self, request, pk):
        provider = self.get_provider(pk)
        if refused := refusal(request.user, adapter_class(provider.type).endpoint(provider.url)):
            messages.error(request, refused)  # its name may resolve elsewhere since it was saved
            return generic.redirect(request, provider.get_absolute_url())
        try:
            adapter_for(provider).test_connection()
        except ProviderError as exc:
            Provider.objects.filter(pk=provider.pk).update(
                status=Provider.Status.CONNECTION_FAILED, status_message=exc.message)
            messages.error(request, exc.message)
        else:
            messages.success(request, f"Connected to {provider}.")
            if provider.status == Provider.Status.CONNECTION_FAILED:
                Provider.objects.filter(pk=provider.pk).update(refresh_requested=timezone.now())
        return generic.redirect(request, provider.get_absolute_url())


class ThumbprintView(generic.ObjectPermissionMixin, View):
    """Read the certificate a provider URL presents, for the user to confirm its thumbprint (for the
    types whose form offers it)."""

    queryset = PROVIDERS

    def post(self, request, provider_type):
        if not self.can("add") and not self.can("change"):
            raise PermissionDenied("Only provider admins may fetch certificates.")
        if provider_type not in Provider.Type.values or not adapter_class(provider_type).fetches_thumbprint:
            raise Http404(f"{provider_type} providers pin no certificate thumbprint.")
        url = request.POST.get("url", "")
        if not url.startswith("https://"):
            raise Http404("Enter the https:// URL first.")
        if refused := refusal(request.user, adapter_class(provider_type).endpoint(url)):
            return render(request, "providers/thumbprint.html", {"error": refused})
        try:
            result = adapter_class(provider_type).fetch_thumbprint(url)
        except ProviderError as exc:
            return render(request, "providers/thumbprint.html", {"error": exc.message})
        if request.htmx:
            return render(request, "providers/thumbprint.html", result)
        return JsonResponse(result)

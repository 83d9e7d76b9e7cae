"""REST API for providers: /api/providers/. Creating and changing go through the same form
(and connection test) as the console, so the rules and messages are the same."""

from django.db import transaction
from django.http import QueryDict
from rest_framework import status
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from mtvweb.access import namespaces_for, object_for
from providers.adapters import form_class
from providers.api.inventory import provider_record
from providers.models import Provider


def form_errors(form) -> dict:
    return {field: [str(e) for e in errors] for field, errors in form.errors.items()}


def refusal(form) -> Response:
    """A form's errors: 403 when the user may not do what was asked whatever they type, else 400."""
    forbidden = [e.message for errors in form.errors.as_data().values() for e in errors if e.code == "not_allowed"]
    if forbidden:
        raise PermissionDenied(" ".join(forbidden))
    return Response(form_errors(form), status=status.HTTP_400_BAD_REQUEST)


def not_an_object() -> Response:
    return Response({"detail": "Send the provider's fields as one JSON object (or as form fields)."},
                    status=status.HTTP_400_BAD_REQUEST)


def allowed_namespaces(user, action):
    if user.is_superuser:
        return None
    return list(namespaces_for(user, Provider, action).values_list("namespace", flat=True))


def as_form_data(data) -> QueryDict:
    form_data = QueryDict(mutable=True)
    for key, value in data.items():
        if isinstance(value, bool):
            value = "on" if value else ""
        form_data[key] = value
    return form_data


class ProviderListAPI(APIView):
    def get(self, request):
        providers = Provider.objects.restrict(request.user, "view").order_by("namespace", "name")
        return Response([{"id": p.pk, **provider_record(p, request.user)} for p in providers])

    def post(self, request):
        if not isinstance(request.data, dict):
            return not_an_object()
        provider_type = request.data.get("type")
        if provider_type not in Provider.Type.values:
            return Response({"type": [f"Choose one of: {', '.join(Provider.Type.values)}."]},
                            status=status.HTTP_400_BAD_REQUEST)
        namespaces = allowed_namespaces(request.user, "add")
        if namespaces == []:
            raise PermissionDenied("Creating providers needs the admin role in a project.")
        form = form_class(provider_type)(as_form_data(request.data), instance=Provider(), user=request.user,
                                         namespaces=namespaces)
        if not form.is_valid():
            return refusal(form)
        with transaction.atomic():
            provider = form.save()
            if not Provider.objects.restrict(request.user, "add").filter(pk=provider.pk).exists():
                raise PermissionDenied(f"You may not create providers in {provider.namespace}.")
        return Response({"id": provider.pk, **provider_record(provider, request.user)}, status=status.HTTP_201_CREATED)


class ProviderDetailAPI(APIView):
    def get_provider(self, request, pk, action):
        return object_for(request.user, Provider.objects.all(), pk, action)

    def get(self, request, pk):
        provider = self.get_provider(request, pk, "view")
        return Response({"id": provider.pk, **provider_record(provider, request.user), "settings": provider.settings,
                         "credentialKeys": sorted(provider.credentials())})

    def patch(self, request, pk):
        provider = self.get_provider(request, pk, "change")
        if not isinstance(request.data, dict):
            return not_an_object()
        cls = form_class(provider.type)
        stored = provider.credentials()
        current = {"name": provider.name, "namespace": provider.namespace, "url": provider.url}
        current.update({field: stored.get(key, "") for field, key in cls.credential_fields.items()})
        current.update({field: provider.settings.get(key, "") for field, key in cls.setting_fields.items()})
        current = {k: (v == "true" if v in ("true", "false") else v) for k, v in current.items()}
        form = cls(as_form_data({**current, **request.data}), instance=provider,
                                         user=request.user, namespaces=allowed_namespaces(request.user, "change"))
        if not form.is_valid():
            return refusal(form)
        with transaction.atomic():
            provider = form.save()
            if not Provider.objects.restrict(request.user, "change").filter(pk=provider.pk).exists():
                raise PermissionDenied(f"You may not move providers to {provider.namespace}.")
        return Response({"id": provider.pk, **provider_record(provider, request.user)})

    def delete(self, request, pk):
        from django.db.models import ProtectedError

        provider = self.get_provider(request, pk, "delete")
        try:
            provider.delete()
        except ProtectedError as exc:
            users = ", ".join(sorted({str(o) for o in exc.protected_objects}))
            return Response({"detail": f"{provider} is still used by {users}; remove those first."},
                            status=status.HTTP_409_CONFLICT)
        return Response(status=status.HTTP_204_NO_CONTENT)

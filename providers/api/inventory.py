"""The inventory REST API at Forklift's paths (guide §5.2, §6.3), under /inventory/:

    /providers                                   {type: [provider, ...]}
    /providers/<type>                            [provider, ...]
    /providers/<type>/<uid>                      provider with its counts
    /providers/<type>/<uid>/<collection>         [object, ...]   (?name=, ?detail=)
    /providers/<type>/<uid>/<collection>/<id>    object
    /providers/<type>/<uid>/workloads/<id>       {"input": the VM with its host and cluster}

Collections per type come from the adapter (`resources`). Lists give a summary
(id, parent, path, revision, name, selfLink) unless ?detail=1. Of a cluster, only what lives in
the caller's namespaces is served (providers.inventory.visible).
"""

from django.http import Http404
from rest_framework.response import Response
from rest_framework.views import APIView

from providers.adapters import adapter_class
from providers.inventory.records import object_record, provider_link, workload
from providers.inventory.visible import visible_counts, visible_inventory
from providers.models import InventoryObject, Provider, VirtualMachine

SUMMARY = ("id", "parent", "path", "revision", "name", "selfLink")


def provider_record(provider, user) -> dict:
    counts = visible_counts(user, provider)
    return {
        "uid": str(provider.uid),
        "namespace": provider.namespace,
        "name": provider.name,
        "type": provider.type,
        "url": provider.url,
        "status": provider.status,
        "statusMessage": provider.status_message,
        "revision": provider.revision,
        "lastRefresh": provider.last_refresh,
        "selfLink": provider_link(provider),
        **{f"{kind}Count": n for kind, n in sorted(counts.items())},
    }


class InventoryView(APIView):
    def visible(self, request):
        return Provider.objects.restrict(request.user, "view")

    def provider(self, request, provider_type, uid):
        provider = self.visible(request).filter(type=provider_type, uid=uid).first()
        if provider is None:
            raise Http404(f"No {provider_type} provider {uid} that you may see.")
        return provider

    def rows(self, request, provider, collection):
        resources = adapter_class(provider.type).resources
        if collection not in resources:
            raise Http404(f"{provider.type} providers have no {collection}; they have: {', '.join(resources)}.")
        kind = resources[collection]
        if kind == "vm":
            return visible_inventory(request.user, provider, VirtualMachine)
        return visible_inventory(request.user, provider, InventoryObject).filter(kind=kind)


class ProvidersView(InventoryView):
    def get(self, request, provider_type=None):
        providers = self.visible(request).order_by("namespace", "name")
        if provider_type is not None:
            if provider_type not in Provider.Type.values:
                raise Http404(f"Unknown provider type {provider_type}.")
            return Response([provider_record(p, request.user) for p in providers.filter(type=provider_type)])
        result = {t: [] for t in Provider.Type.values}
        for provider in providers:
            result[provider.type].append(provider_record(provider, request.user))
        return Response(result)


class ProviderDetailView(InventoryView):
    def get(self, request, provider_type, uid):
        return Response(provider_record(self.provider(request, provider_type, uid), request.user))


class CollectionView(InventoryView):
    def get(self, request, provider_type, uid, collection):
        provider = self.provider(request, provider_type, uid)
        rows = self.rows(request, provider, collection)
        if name := request.query_params.get("name"):
            rows = rows.filter(path=name) if name.startswith("/") else rows.filter(name=name)
        detailed = request.query_params.get("detail", "0") not in ("", "0")
        records = [object_record(provider, collection, row) for row in rows.order_by("name")]
        if not detailed:
            records = [{k: r.get(k) for k in SUMMARY} for r in records]
        return Response(records)


class ObjectView(InventoryView):
    def get(self, request, provider_type, uid, collection, object_id):
        provider = self.provider(request, provider_type, uid)
        row = self.rows(request, provider, collection).filter(uid=object_id).first()
        if row is None:
            raise Http404(f"No {collection} {object_id} in {provider.name}.")
        return Response(object_record(provider, collection, row))


class WorkloadView(InventoryView):
    """A VM with the objects it runs on expanded — the input validation policies see."""

    def get(self, request, provider_type, uid, object_id):
        provider = self.provider(request, provider_type, uid)
        vm = visible_inventory(request.user, provider, VirtualMachine).filter(uid=object_id).first()
        if vm is None:
            raise Http404(f"No VM {object_id} in {provider.name}.")
        return Response({"input": workload(provider, vm)})

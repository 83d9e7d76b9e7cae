"""REST API for maps: /api/networkmaps/ and /api/storagemaps/ (list, create; read, change with
PUT or PATCH, delete). Saving goes through mappings.saving, the console's own form and checks,
so the rules and messages are the console's; rows are answered in Forklift's shape
(mappings.api.shapes). Deleting a map a plan uses is refused (409) naming the plans."""

from rest_framework import status
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from mappings.api import shapes
from mappings.kinds import NETWORK, STORAGE
from mappings.saving import MapInvalid, save_map
from mappings.usage import in_use_message
from mtvweb.access import object_for
from mtvweb.views.generic import namespaces_allowed


class MapAPI(APIView):
    kind = None  # the mappings.kinds.MapKind served

    @property
    def model(self):
        return self.kind.model

    @property
    def verbose_plural(self):
        return self.model._meta.verbose_name_plural

    def save(self, request, data, instance=None):
        """Create or change a map from the request body; the Response to send."""
        try:
            data = shapes.unwrap(data)
            errors, providers = {}, {}
            for role, key, current in (("source", "source", getattr(instance, "source_provider", None)),
                                       ("target", "destination", getattr(instance, "destination_provider", None))):
                ref = (data.get("provider") or {}).get(key) if isinstance(data.get("provider"), dict) else None
                if ref is None and current is not None:
                    providers[key] = current
                    continue
                providers[key], error = shapes.find_provider(request.user, ref, role)
                if error:
                    errors[f"provider.{key}"] = [error]
            if errors:
                raise shapes.ShapeError(errors)
            if "map" in data or instance is None:
                pairs = self.kind.api_specs(data, providers["source"], request.user)
            else:
                pairs = self.kind.specs_of(instance)
        except shapes.ShapeError as exc:
            return Response(exc.errors, status=status.HTTP_400_BAD_REQUEST)
        try:
            obj = save_map(self.kind, user=request.user, name=data.get("name", getattr(instance, "name", "")),
                           namespace=data.get("namespace", getattr(instance, "namespace", "")),
                           source=providers["source"], target=providers["destination"], pairs=pairs,
                           instance=instance)
        except MapInvalid as exc:
            return Response(shapes.api_errors(exc.errors), status=status.HTTP_400_BAD_REQUEST)
        return Response(shapes.map_record(self.kind, obj), status=status.HTTP_200_OK if instance else status.HTTP_201_CREATED)


class MapListAPI(MapAPI):
    def get(self, request):
        maps = self.model.objects.restrict(request.user, "view").select_related(
            "source_provider", "destination_provider").prefetch_related("pairs").order_by("namespace", "name")
        if request.query_params.get("namespace"):
            maps = maps.filter(namespace=request.query_params["namespace"])
        return Response([shapes.map_record(self.kind, m) for m in maps])

    def post(self, request):
        if namespaces_allowed(request.user, self.model, "add") == []:
            raise PermissionDenied(f"Creating {self.verbose_plural} needs the editor role in a project.")
        return self.save(request, request.data)


class MapDetailAPI(MapAPI):
    def get_map(self, request, pk, action):
        return object_for(request.user, self.model.objects.all(), pk, action)

    def get(self, request, pk):
        return Response(shapes.map_record(self.kind, self.get_map(request, pk, "view")))

    def put(self, request, pk):
        return self.save(request, request.data, self.get_map(request, pk, "change"))

    def patch(self, request, pk):
        return self.save(request, request.data, self.get_map(request, pk, "change"))

    def delete(self, request, pk):
        obj = self.get_map(request, pk, "delete")
        reason = in_use_message(obj, request.user)
        if reason:
            return Response({"detail": reason}, status=status.HTTP_409_CONFLICT)
        obj.delete()
        return Response(status=status.HTTP_204_NO_CONTENT)


class NetworkMapListAPI(MapListAPI):
    kind = NETWORK


class NetworkMapDetailAPI(MapDetailAPI):
    kind = NETWORK


class StorageMapListAPI(MapListAPI):
    kind = STORAGE


class StorageMapDetailAPI(MapDetailAPI):
    kind = STORAGE

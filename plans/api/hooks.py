"""REST API for hooks: /api/hooks/ in the shape of Forklift's Hook (guide §5.3), so that plans made
through the API can name them in spec.vms[].hooks. The playbook travels base64-encoded as in
Forklift; plain YAML is taken too."""

import base64
import binascii

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError
from rest_framework import status
from rest_framework.exceptions import PermissionDenied
from rest_framework.parsers import JSONParser
from rest_framework.response import Response
from rest_framework.views import APIView

from mtvweb.access import can, object_for
from mtvweb.validators import validate_namespace_name, validate_object_name
from plans import writer
from plans.api.parsers import XYAMLParser, YAMLParser
from plans.manifests import hook_manifest
from plans.models import Hook, Plan


def record(hook: Hook) -> dict:
    return {"id": hook.pk, **hook_manifest(hook)}


def decode_playbook(text: str) -> str:
    """Forklift's base64, or the playbook itself."""
    compact = "".join(text.split())
    try:
        decoded = base64.b64decode(compact, validate=True).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return text
    return decoded


def read(user, data) -> tuple[dict, dict]:
    """The hook's fields from a Hook manifest, and the problems found at their paths."""
    errors: dict[str, list[str]] = {}
    data = data if isinstance(data, dict) else {}
    metadata = data.get("metadata") if isinstance(data.get("metadata"), dict) else {}
    spec = data.get("spec") if isinstance(data.get("spec"), dict) else {}
    name, namespace = str(metadata.get("name") or ""), str(metadata.get("namespace") or "")
    for path, value, check in (("metadata.name", name, validate_object_name),
                               ("metadata.namespace", namespace, validate_namespace_name)):
        if not value:
            errors[path] = [f"Enter {path}."]
            continue
        try:
            check(value)
        except ValidationError as exc:
            errors[path] = exc.messages
    if namespace and "metadata.namespace" not in errors and not can(user, Hook, "add", namespace):
        errors["metadata.namespace"] = [f"You may not create hooks in project {namespace}: choose a project where "
                                        "you are an editor."]
    elif name and namespace and Hook.objects.filter(namespace=namespace, name=name).exists():
        errors["metadata.name"] = [f"A hook named {name} already exists in project {namespace}: choose another name."]
    image = str(spec.get("image") or Hook.DEFAULT_IMAGE).strip()
    playbook = decode_playbook(str(spec.get("playbook") or ""))
    for key, texts in writer.hook_problems(image, playbook, playbook_required=False).items():
        errors[f"spec.{key}"] = texts
    deadline = spec.get("deadline", 600)
    if not isinstance(deadline, int) or isinstance(deadline, bool) or deadline < 1:
        errors["spec.deadline"] = ["spec.deadline is the seconds the hook may run: a whole number of at least 1."]
    return {"namespace": namespace, "hook": writer.NewHook(name=name, image=image, playbook=playbook),
            "deadline_seconds": deadline}, errors


class HookListAPI(APIView):
    parser_classes = [JSONParser, YAMLParser, XYAMLParser]

    def get(self, request):
        hooks = Hook.objects.restrict(request.user, "view").order_by("namespace", "name")
        if request.query_params.get("namespace"):
            hooks = hooks.filter(namespace=request.query_params["namespace"])
        return Response([record(h) for h in hooks])

    def post(self, request):
        fields, errors = read(request.user, request.data)
        if errors:
            return Response(errors, status=status.HTTP_400_BAD_REQUEST)
        try:
            hook = writer.create_hook(request.user, **fields)
        except DjangoPermissionDenied as exc:
            raise PermissionDenied(str(exc)) from exc
        return Response(record(hook), status=status.HTTP_201_CREATED)


class HookDetailAPI(APIView):
    def get_hook(self, request, pk, action="view") -> Hook:
        return object_for(request.user, Hook.objects.all(), pk, action)

    def get(self, request, pk):
        return Response(record(self.get_hook(request, pk)))

    def delete(self, request, pk):
        hook = self.get_hook(request, pk, "delete")
        using = Plan.objects.filter(vms__hooks__hook=hook).distinct()
        if using.exists():
            names = sorted(using.restrict(request.user, "view").values_list("name", flat=True))
            hidden = using.count() - len(names)
            listed = ", ".join(names + ([f"{hidden} plan{'s' if hidden > 1 else ''} you cannot see"] if hidden else []))
            return Response({"detail": f"Hook {hook.name} is used by {listed}; remove it from those plans first."},
                            status=status.HTTP_409_CONFLICT)
        hook.delete()
        return Response(status=status.HTTP_204_NO_CONTENT)

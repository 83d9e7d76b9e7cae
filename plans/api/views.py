"""REST API for plans: /api/plans/… The rules and messages are the console's (plans.actions):
403 when the caller's role does not allow an action, 409 when the plan's state does not, with
the reason; 400 with each problem at its field's path for a manifest that does not hold."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError
from django.db.models import Count, OuterRef, Subquery
from django.http import HttpResponse
from rest_framework import status
from rest_framework.exceptions import PermissionDenied
from rest_framework.parsers import JSONParser
from rest_framework.response import Response
from rest_framework.views import APIView

from mtvweb.access import object_for
from plans import actions, manifests, writer
from plans.api import reader, records
from plans.api.parsers import XYAMLParser, YAMLParser
from plans.models import Migration, Plan

PLANS = Plan.objects.select_related("source_provider", "destination_provider", "network_map", "storage_map")


def annotated(queryset):
    last = Migration.objects.filter(plan=OuterRef("pk")).order_by("-created", "-pk").values("status")[:1]
    return queryset.annotate(vm_count=Count("vms", distinct=True), last_run_status=Subquery(last))


def conflict(text: str) -> Response:
    return Response({"detail": text}, status=status.HTTP_409_CONFLICT)


def invalid(exc: writer.Invalid) -> Response:
    return Response(reader.at_paths(exc.problems), status=status.HTTP_400_BAD_REQUEST)


class PlanAPI(APIView):
    parser_classes = [JSONParser, YAMLParser, XYAMLParser]

    def get_plan(self, request, pk) -> Plan:
        return object_for(request.user, PLANS, pk)

    def act(self, request, plan, action, **kwargs):
        """Run an action with the console's rules: 403 for the role, 409 for the plan's state."""
        try:
            return actions.perform(request.user, plan, action, **kwargs), None
        except DjangoPermissionDenied as exc:
            raise PermissionDenied(str(exc)) from exc
        except actions.ActionRefused as exc:
            return None, conflict(exc.message)


class PlanListAPI(PlanAPI):
    def get(self, request):
        plans = annotated(PLANS.restrict(request.user, "view"))
        for key, lookup in (("namespace", "namespace"), ("status", "status"), ("name", "name__icontains")):
            if request.query_params.get(key):
                plans = plans.filter(**{lookup: request.query_params[key]})
        if request.query_params.get("archived") in ("true", "false"):
            plans = plans.filter(archived=request.query_params["archived"] == "true")
        return Response([records.summary(p) for p in plans.order_by("namespace", "name")])

    def post(self, request):
        """Create a plan from a Forklift Plan manifest (JSON or YAML)."""
        try:
            plan = writer.save(request.user, reader.read(request.user, request.data))
        except writer.Invalid as exc:
            return invalid(exc)
        except DjangoPermissionDenied as exc:
            raise PermissionDenied(str(exc)) from exc
        return Response(records.detail(plan, request.user), status=status.HTTP_201_CREATED)


class PlanDetailAPI(PlanAPI):
    def get(self, request, pk):
        return Response(records.detail(self.get_plan(request, pk), request.user))

    def put(self, request, pk):
        """Replace the plan's spec (the wizard's edit, through the API): refused like the console's edit."""
        plan = self.get_plan(request, pk)
        refused = actions.refusal(request.user, plan, "edit")  # the role and state before the body
        if refused and refused[0] == "role":
            raise PermissionDenied(refused[1])
        if refused:
            return conflict(refused[1])
        try:
            plan = writer.save(request.user, reader.read(request.user, request.data, instance=plan), instance=plan)
        except writer.Invalid as exc:
            return invalid(exc)
        except DjangoPermissionDenied as exc:
            raise PermissionDenied(str(exc)) from exc
        except actions.ActionRefused as exc:
            return conflict(exc.message)
        return Response(records.detail(PLANS.get(pk=plan.pk), request.user))

    def delete(self, request, pk):
        plan = self.get_plan(request, pk)
        _, refused = self.act(request, plan, "delete")
        return refused or Response(status=status.HTTP_204_NO_CONTENT)


class PlanStartAPI(PlanAPI):
    def post(self, request, pk):
        migration, refused = self.act(request, self.get_plan(request, pk), "start")
        return refused or Response(records.migration_record(migration), status=status.HTTP_201_CREATED)


class PlanMigrationsAPI(PlanAPI):
    def get(self, request, pk):
        plan = self.get_plan(request, pk)
        return Response([records.migration_record(m, detail=True) for m in plan.migrations.all()[:20]])


class PlanCancelAPI(PlanAPI):
    """{"vms": [VM ids]}: cancel them in the plan's running migration (guide §5.5)."""

    def post(self, request, pk):
        plan = self.get_plan(request, pk)
        ids = request.data.get("vms") if isinstance(request.data, dict) else None
        if not isinstance(ids, list) or not ids or not all(isinstance(i, str) for i in ids):
            return Response({"vms": ["List the ids of the VMs to cancel, e.g. {\"vms\": [\"vm-42\"]}."]},
                            status=status.HTTP_400_BAD_REQUEST)
        migration = plan.migrations.first()
        if migration is None:
            return conflict(f"Plan {plan.name} has not been started: there is nothing to cancel.")
        try:
            names = actions.cancel(request.user, migration, ids)
        except DjangoPermissionDenied as exc:
            raise PermissionDenied(str(exc)) from exc
        except actions.ActionRefused as exc:
            return conflict(str(exc))
        migration.refresh_from_db()
        return Response({"canceled": names, "migration": records.migration_record(migration, detail=True)})


class PlanDuplicateAPI(PlanAPI):
    def post(self, request, pk):
        plan = self.get_plan(request, pk)
        name = request.data.get("name") if isinstance(request.data, dict) else None
        if not isinstance(name, str) or not name.strip():
            return Response({"name": ["Send the new plan's name: {\"name\": \"…\"}."]},
                            status=status.HTTP_400_BAD_REQUEST)
        try:
            copy, refused = self.act(request, plan, "duplicate", name=name)
        except ValidationError as exc:
            return Response({"name": exc.messages}, status=status.HTTP_400_BAD_REQUEST)
        return refused or Response(records.detail(PLANS.get(pk=copy.pk), request.user),
                                   status=status.HTTP_201_CREATED)


class PlanArchiveAPI(PlanAPI):
    def post(self, request, pk):
        plan, refused = self.act(request, self.get_plan(request, pk), "archive")
        if refused:
            return refused
        return Response({**records.detail(PLANS.get(pk=plan.pk), request.user), "note": actions.ARCHIVE_NOTE})


class PlanYAMLAPI(PlanAPI):
    def get(self, request, pk):
        plan = self.get_plan(request, pk)
        return HttpResponse(manifests.plan_yaml(plan), content_type="application/yaml; charset=utf-8")


class PlanBulkAPI(PlanAPI):
    """{"action": "archive"|"delete", "ids": [...]}: each plan on its own, with its outcome."""

    def post(self, request):
        data = request.data if isinstance(request.data, dict) else {}
        action, ids = data.get("action"), data.get("ids")
        if action not in ("archive", "delete"):
            return Response({"action": ["Set action to archive or delete."]}, status=status.HTTP_400_BAD_REQUEST)
        if not isinstance(ids, list) or not ids or not all(isinstance(i, int) for i in ids):
            return Response({"ids": ["List the ids of the plans."]}, status=status.HTTP_400_BAD_REQUEST)
        visible = {p.pk: p for p in PLANS.restrict(request.user, "view").filter(pk__in=ids)}
        results = []
        for pk in ids:
            plan = visible.get(pk)
            if plan is None:
                results.append({"id": pk, "done": False, "detail": "No such plan that you may see."})
                continue
            [(_, done, text)] = actions.bulk(request.user, [plan], action)
            results.append({"id": pk, "name": plan.name, "done": done, "detail": text})
        return Response({"results": results})

"""Who may do what: the one place that decides access.

Admins (Django superusers) may do everything. Everybody else gets a role per namespace
(guide §5.1, DESIGN.md "Users and access"):

* viewer  — read plans, maps, migrations and the providers of the namespace;
* editor  — also create, change, delete and start plans and maps, and use what the namespace
  holds (its providers, maps, hooks and source VMs) in a plan or a map;
* admin   — also create, change and delete providers in the namespace.

"use" is an action of its own: to put a provider, map, hook or source VM in a plan (or a
provider in a map) takes editor in its namespace, so a viewer of B who is an editor of A cannot
build a plan in A on B's credentials. Providers an admin creates in the operator namespace
(settings.MTVWEB_NAMESPACE, openshift-mtv by default) are shared: every user with a role
anywhere may see and use them.

Every namespaced model uses `RestrictedQuerySet` (its namespace is the field named by
`namespace_field`: "namespace" unless the model says e.g. "plan__namespace"), and every
view, API view and websocket consumer asks `Model.objects.restrict(user, action)` for what the user may touch.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import Http404

from mtvweb.roles import EDITOR, ROLES, VIEWER, NamespaceRole

# The least role each action needs, unless a model says otherwise (`access_rules`).
DEFAULT_RULES = {"view": VIEWER, "use": EDITOR, "add": EDITOR, "change": EDITOR, "delete": EDITOR, "run": EDITOR}
# The actions a model's `shared_in_operator_namespace` opens to everyone with a role.
SHARED_ACTIONS = ("view", "use")


def roles_at_least(role: str) -> list[str]:
    return ROLES[ROLES.index(role):]


def required_role(model, action: str) -> str:
    rules = {**DEFAULT_RULES, **getattr(model, "access_rules", {})}
    try:
        return rules[action]
    except KeyError:
        raise ValueError(f"{model.__name__} has no access rule for action {action!r}") from None


def namespaces_for(user, model, action: str):
    """Names of the namespaces where user may perform action on model (a queryset of names)."""
    return NamespaceRole.objects.filter(user=user, role__in=roles_at_least(required_role(model, action))).values(
        "namespace"
    )


def can(user, model, action: str, namespace: str) -> bool:
    """May user perform action on model objects in namespace (e.g. create one there)?"""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return namespaces_for(user, model, action).filter(namespace=namespace).exists()


def object_for(user, queryset, pk, action: str = "view", verb: str = ""):
    """Object `pk` of the queryset, if the user may do `action` on it. Http404 when the user may
    not even see it (an outsider learns nothing of it), PermissionDenied when they may see it but
    not do that; `verb` names the action in that message (default: the action)."""
    name = queryset.model._meta.verbose_name
    found = queryset.restrict(user, "view").filter(pk=pk).first()
    if found is None:
        raise Http404(f"No such {name} that you may see.")
    if action != "view" and not queryset.restrict(user, action).filter(pk=found.pk).exists():
        raise PermissionDenied(f"You may view {name} {found} but not {verb or action} it.")
    return found


class RestrictedQuerySet(models.QuerySet):
    def restrict(self, user, action: str = "view"):
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_superuser:
            return self
        field = getattr(self.model, "namespace_field", "namespace")
        allowed = models.Q(**{f"{field}__in": namespaces_for(user, self.model, action)})
        if action in SHARED_ACTIONS and getattr(self.model, "shared_in_operator_namespace", False):
            # Like MTV's providers in openshift-mtv: everyone with a role somewhere may see and use them.
            if NamespaceRole.objects.filter(user=user).exists():
                allowed |= models.Q(**{field: settings.MTVWEB_NAMESPACE})
        return self.filter(allowed)

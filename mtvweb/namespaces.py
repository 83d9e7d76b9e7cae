"""The project (namespace) selector at the top of list pages.

`?namespace=<name>` picks a namespace, `?namespace=` (empty) picks all the user may see;
the choice sticks in the session. `request.namespace` is the current one or None.
"""

from mtvweb.models import Namespace, NamespaceRole

SESSION_KEY = "namespace"


def visible_namespaces(user) -> list[str]:
    if not user.is_authenticated:
        return []
    if user.is_superuser:
        return list(Namespace.objects.values_list("name", flat=True))
    return sorted(set(NamespaceRole.objects.filter(user=user).values_list("namespace", flat=True)))


class NamespaceMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.namespace = None
        if request.user.is_authenticated:
            if "namespace" in request.GET:
                request.session[SESSION_KEY] = request.GET["namespace"] or None
            chosen = request.session.get(SESSION_KEY)
            if chosen and chosen in visible_namespaces(request.user):
                request.namespace = chosen
        return self.get_response(request)


def namespace_context(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"namespaces": visible_namespaces(user), "current_namespace": getattr(request, "namespace", None)}

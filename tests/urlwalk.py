"""Every URL pattern of the site, with its path parameters filled: by an object that exists, and by
values that name nothing or are not even plausible (a number too large for the database, a NUL, a
name of 300 characters). The fuzz test and the page checks walk these (tests/test_fuzz.py,
tests/test_pages_csp.py); `world()` makes one of each kind of object to fill them with."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver

PARAMETER = re.compile(r"<(?:\w+:)?(?P<name>\w+)>|\(\?P<(?P<group>\w+)>(?:[^()]|\([^()]*\))*\)")
# Values that name nothing, for every parameter: none may make the site answer 500.
BOGUS = {"int": ["0", "999999", "9" * 25], "str": ["nope", "%00", "%E2%82%AC", "x" * 300]}
# Which object a route's `pk` is, by the route's beginning (the longest that matches wins).
PK_OF = {
    "providers/": "provider", "providers/rules/": "rule", "networkmaps/": "networkmap", "storagemaps/": "storagemap",
    "plans/": "plan", "plans/wizard/": "wizard", "api/providers/": "provider", "api/networkmaps/": "networkmap",
    "api/storagemaps/": "storagemap", "api/plans/": "plan", "api/hooks/": "hook",
}


@dataclass(frozen=True)
class Route:
    pattern: str  # as Django shows it, e.g. plans/<int:pk>/start/
    name: str

    @property
    def parameters(self) -> list[str]:
        return [m["name"] or m["group"] for m in PARAMETER.finditer(self.pattern)]

    def path(self, values: dict[str, str]) -> str:
        template = self.pattern.replace("^", "").replace("/?$", "/").replace("$", "")
        return "/" + PARAMETER.sub(lambda m: values[m["name"] or m["group"]], template)

    def __str__(self):
        return self.name or self.pattern


def routes() -> list[Route]:
    def walk(patterns, prefix=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                yield Route(prefix + str(pattern.pattern), pattern.name or "")

    return list(walk(get_resolver().url_patterns))


def existing_values(route: Route, world: dict) -> dict[str, str]:
    """The route's parameters filled with objects of the world (so the page has something to show)."""
    prefix = max((p for p in PK_OF if route.pattern.startswith(p)), key=len, default="")
    known = {
        "pk": str(world[PK_OF[prefix]].pk) if prefix else "1",
        "name": "max_vm_inflight", "provider_type": world["provider"].type, "uid": str(world["provider"].uid),
        "tab": "vms", "host_id": "host-1", "step": "general", "collection": "vms", "object_id": "vm-1",
        "package": "vmware",
    }
    return {name: known[name] for name in route.parameters}


def paths(route: Route, world: dict) -> list[str]:
    """The route with existing objects, then with each parameter in turn given each bogus value."""
    good = existing_values(route, world)
    result = [route.path(good)]
    for name in route.parameters:
        kind = "int" if f"<int:{name}>" in route.pattern else "str"
        for bogus in BOGUS[kind]:
            if kind == "str" and "(?P<" in route.pattern and not re.fullmatch(_group(route, name), bogus):
                continue  # the pattern itself refuses it: nothing to resolve
            result.append(route.path({**good, name: bogus}))
    return result


def _group(route: Route, name: str) -> str:
    match = re.search(rf"\(\?P<{name}>((?:[^()]|\([^()]*\))*)\)", route.pattern)
    return match[1] if match else ".*"


def world(people) -> dict:
    """One object of each kind in team-a, with inventory, a started migration, a hook, a custom rule
    and an editor's wizard (tests/plans/conftest.py holds the inventory)."""
    from plans import actions
    from plans.models import Hook, Plan, PlanVM, WizardState
    from providers.models import InventoryObject, Provider, ValidationRule, VirtualMachine
    from tests.plans.conftest import inventory_in

    found = inventory_in("team-a")
    source = found["source"]
    InventoryObject.objects.create(provider=source, kind="host", uid="host-1", name="esxi-1", digest="x",
                                   data={"networkAdapters": [{"ipAddress": "10.0.0.5"}]})
    plan = Plan.objects.create(name="plan-1", namespace="team-a", source_provider=source,
                               destination_provider=found["target"], target_namespace="team-a",
                               network_map=found["network_map"], storage_map=found["storage_map"])
    for vm in VirtualMachine.objects.filter(provider=source):
        PlanVM.objects.create(plan=plan, vm_id=vm.uid, name=vm.name)
    actions.start(people["editor"], plan)
    return {
        "provider": source, "target": found["target"], "networkmap": found["network_map"],
        "storagemap": found["storage_map"], "plan": plan, "hook": Hook.objects.get(namespace="team-a"),
        "rule": ValidationRule.objects.create(provider_type="vsphere", name="sample",
                                              source="package io.konveyor.forklift.vmware\n"),
        "wizard": WizardState.objects.create(user=people["editor"], data={"general": {"namespace": "team-a"}}),
        "providers": Provider.objects.all(),
    }

"""The VM step: filter the source's VMs (name, a cluster/host/folder tree, power state,
concerns — all in the database, over every page) and keep the selection in the wizard's data.

"Select all that match" adds exactly the VMs the filter matches; a pasted list of names adds
those it finds and says which it could not. Every list, count and choice is of what the user may
migrate (plans.tenancy.usable_vms: a cluster's VMs of namespaces where they are an editor).
"""

from __future__ import annotations

import re

from django.core.paginator import Paginator

from plans.tenancy import usable_vms
from providers.inventory.visible import visible_inventory
from providers.inventory_filters import CONCERN_CHOICES
from providers.models import InventoryObject, Provider, VirtualMachine

PAGE_SIZE = 25
FILTER_KEYS = ("name", "location", "power_state", "concern")
LOCATION_FIELDS = {"cluster": "cluster_uid", "host": "host_uid", "folder": "folder_uid"}


def read_filter(post) -> dict:
    return {key: post.get(f"filter_{key}", "").strip() for key in FILTER_KEYS}


def location_choices(user, provider: Provider) -> list[tuple[str, str]]:
    """Clusters with their hosts indented under them, hosts outside clusters, then folders by path."""
    objects = visible_inventory(user, provider, InventoryObject, "use").filter(kind__in=LOCATION_FIELDS).order_by(
        "path", "name")
    rows = list(objects.values_list("kind", "uid", "name", "path", "parent_kind", "parent_uid"))
    hosts_of: dict[str, list] = {}
    for kind, uid, name, _path, parent_kind, parent_uid in rows:
        if kind == "host" and parent_kind == "cluster":
            hosts_of.setdefault(parent_uid, []).append((uid, name))
    clustered = {uid for hosts in hosts_of.values() for uid, _ in hosts}
    choices = []
    for kind, uid, name, path, *_ in rows:
        if kind == "cluster":
            choices.append((f"cluster:{uid}", f"Cluster {path or name}"))
            choices += [(f"host:{h}", f"\u2003Host {hn}") for h, hn in hosts_of.get(uid, [])]
    choices += [(f"host:{uid}", f"Host {name}") for kind, uid, name, *_ in rows
                if kind == "host" and uid not in clustered]
    choices += [(f"folder:{uid}", f"Folder {path or name}") for kind, uid, name, path, *_ in rows if kind == "folder"]
    return choices


def matching(user, provider: Provider, chosen: dict):
    vms = usable_vms(user, provider).order_by("name", "uid")
    if chosen.get("name"):
        vms = vms.filter(name__icontains=chosen["name"])
    kind, _, uid = chosen.get("location", "").partition(":")
    if kind in LOCATION_FIELDS and uid:
        vms = vms.filter(**{LOCATION_FIELDS[kind]: uid})
    if chosen.get("power_state"):
        vms = vms.filter(power_state=chosen["power_state"])
    if chosen.get("concern", "").isdigit():
        level = int(chosen["concern"])
        vms = vms.filter(concern_level=0) if level == 0 else vms.filter(concern_level__gte=level)
    return vms


def filter_choices(user, provider: Provider) -> dict:
    states = usable_vms(user, provider).order_by().values_list("power_state", flat=True)
    return {"locations": location_choices(user, provider), "power_states": sorted({s for s in states.distinct() if s}),
            "concerns": CONCERN_CHOICES}


def page_of(user, provider: Provider, chosen: dict, number) -> object:
    return Paginator(matching(user, provider, chosen), PAGE_SIZE).get_page(number)


def names_in(text: str) -> list[str]:
    """VM names from a pasted list: one per line, or separated by commas."""
    return [n.strip() for n in re.split(r"[\n,]+", text or "") if n.strip()]


def resolve_names(user, provider: Provider, names: list[str]) -> tuple[list[str], list[str], list[str]]:
    """(ids found, names not found, names shared by several VMs)."""
    found = {}
    for uid, name in usable_vms(user, provider).filter(name__in=names).values_list("uid", "name"):
        found.setdefault(name, []).append(uid)
    ids = [found[n][0] for n in dict.fromkeys(names) if len(found.get(n, [])) == 1]
    missing = [n for n in dict.fromkeys(names) if n not in found]
    ambiguous = [n for n in dict.fromkeys(names) if len(found.get(n, [])) > 1]
    return ids, missing, ambiguous


def usable_ids(user, provider: Provider, ids) -> set[str]:
    """Which of these VM ids the user may migrate (a posted id may name anything)."""
    return set(usable_vms(user, provider).filter(uid__in=list(ids)).values_list("uid", flat=True))


def critical_names(user, provider: Provider, ids: list[str]) -> list[str]:
    return list(usable_vms(user, provider).filter(uid__in=ids, concern_level=VirtualMachine.Concern.CRITICAL)
                .order_by("name").values_list("name", flat=True))


def merged(current: list[str], add=(), remove=()) -> list[str]:
    """The selection in the order VMs were chosen, without repeats."""
    removed = set(remove)
    return [uid for uid in dict.fromkeys([*current, *add]) if uid not in removed]

"""Which plans use a map: a map cannot be deleted while a plan refers to it."""

from __future__ import annotations

from plans.models import Plan


def plans_using(network_or_storage_map):
    field = "network_map" if network_or_storage_map._meta.model_name == "networkmap" else "storage_map"
    return Plan.objects.filter(**{field: network_or_storage_map})


def in_use_message(network_or_storage_map, user) -> str:
    """Why the map cannot be deleted, naming the plans the user may see; "" when no plan uses it."""
    plans = plans_using(network_or_storage_map)
    total = plans.count()
    if not total:
        return ""
    names = [f"plan {ns}/{name}" for ns, name in sorted(plans.restrict(user, "view").values_list("namespace", "name"))]
    if total > len(names):
        hidden = total - len(names)
        names.append(f"{hidden} plan{'s' if hidden > 1 else ''} in projects you cannot see")
    one = total == 1
    return (f"{network_or_storage_map} is still used by {', '.join(names)}: choose another map in "
            f"{'that plan' if one else 'those plans'} or delete {'it' if one else 'them'} first.")

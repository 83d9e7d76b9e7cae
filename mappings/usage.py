"""Which plans use a map: a map cannot be deleted while a plan refers to it.

The plans are found through the map's reverse relation (Plan.network_map / Plan.storage_map
both have related_name="plans"), so the maps need not know the plans app."""

from __future__ import annotations


def plans_using(network_or_storage_map):
    return network_or_storage_map.plans.all()


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

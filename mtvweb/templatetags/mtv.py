from django import template

register = template.Library()


@register.filter
def verbose_name(obj) -> str:
    return obj._meta.verbose_name


@register.filter
def verbose_name_plural(obj) -> str:
    return obj._meta.verbose_name_plural


@register.filter
def list_url_name(obj) -> str:
    return f"{obj._meta.app_label}:{obj._meta.model_name}_list"


@register.filter
def get(mapping, key):
    """mapping[key], or None: for dicts keyed by values computed in the template."""
    return mapping.get(key) if hasattr(mapping, "get") else None


@register.filter
def map_name(choices, kind) -> str:
    """The name of the existing map a plan wizard's step chose."""
    chosen = choices.chosen_map(kind)
    return chosen.name if chosen else "(none chosen)"

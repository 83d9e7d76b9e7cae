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

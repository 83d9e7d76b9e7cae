from django.urls import path


def crud_urls(name: str, list_view, detail_view, edit_view, delete_view, bulk_view=None) -> list:
    """The URLs every object type has: list, add, detail, edit, delete, and bulk where it has one."""
    return [
        path("", list_view.as_view(), name=f"{name}_list"),
        path("add/", edit_view.as_view(), name=f"{name}_add"),
        path("<int:pk>/", detail_view.as_view(), name=name),
        path("<int:pk>/edit/", edit_view.as_view(), name=f"{name}_edit"),
        path("<int:pk>/delete/", delete_view.as_view(), name=f"{name}_delete"),
        *([path("bulk/", bulk_view.as_view(), name=f"{name}_bulk")] if bulk_view else []),
    ]

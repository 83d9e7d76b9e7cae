"""Acting on the objects ticked in a list (NetBox's bulk views, our way): the first POST shows
what will happen to each object, or why it cannot; the confirmation does it, each object on its
own, so one refusal stops none of the others.

A list offers it with a form posting `action` and the ticked `pk`s to the app's bulk URL. A
subclass names its `bulk_actions` and, where deleting is not all there is, answers `refusal`,
`warning`, `note` and `perform`.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import ProtectedError
from django.shortcuts import render
from django.views import View

from mtvweb.forms import BulkForm
from mtvweb.views.generic import ObjectPermissionMixin, redirect


class Refused(Exception):
    """The action cannot be done to this object now; the message says why and what to do."""


class ObjectBulkView(ObjectPermissionMixin, View):
    template_name = "generic/object_bulk_confirm.html"
    bulk_actions = {"delete": "Deleted"}  # action → what the report says was done

    def list_url(self) -> str:
        return self.url("_list")

    def refusal(self, obj, action: str) -> str:
        """Why the user may not do the action to the object now ("" when they may)."""
        if not self.can(action, obj):
            return f"You may view {self.model._meta.verbose_name} {obj} but not {action} it."
        return ""

    def warning(self, obj, action: str) -> str:
        """What the user should know before confirming ("" for nothing)."""
        return ""

    def note(self, action: str) -> str:
        return "This cannot be undone." if action == "delete" else ""

    def perform(self, obj, action: str) -> None:
        """Do it, or raise Refused (or PermissionDenied)."""
        try:
            obj.delete()
        except ProtectedError as exc:
            users = ", ".join(sorted({str(o) for o in exc.protected_objects}))
            raise Refused(f"{obj} is still used by {users}; remove those first.") from None

    def post(self, request):
        form = BulkForm(request.POST, queryset=self.restricted("view"), actions=self.bulk_actions,
                        plural=self.model._meta.verbose_name_plural)
        if not form.is_valid():
            for error in (e for errors in form.errors.values() for e in errors):
                messages.error(request, error)
            return redirect(request, self.list_url())
        action, chosen = form.cleaned_data["action"], list(form.cleaned_data["pk"].order_by("namespace", "name"))
        if request.POST.get("confirm") != "yes":
            rows = [{"object": obj, "refusal": self.refusal(obj, action), "warning": self.warning(obj, action)}
                    for obj in chosen]
            return render(request, self.template_name, {
                "action": action, "rows": rows, "doable": [r for r in rows if not r["refusal"]], "model": self.model,
                "note": self.note(action), "list_url": self.list_url()})
        done = []
        for obj in chosen:
            name = str(obj)
            try:
                if reason := self.refusal(obj, action):
                    raise Refused(reason)
                self.perform(obj, action)
            except (Refused, PermissionDenied) as exc:
                messages.error(request, str(exc))
            else:
                done.append(name)
        if done:
            noun = self.model._meta.verbose_name if len(done) == 1 else self.model._meta.verbose_name_plural
            messages.success(request, f"{self.bulk_actions[action]} {len(done)} {noun}: {', '.join(done)}.")
        return redirect(request, self.list_url())

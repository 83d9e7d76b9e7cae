"""The wizard's pages. Every POST keeps what the form holds (even on Back), then goes where the
button says: Back always; Next, a later step in the navigation or Create only when the steps
on the way have nothing left to fix. htmx requests get the wizard's body and the new URL."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views import View
from django_htmx.http import HttpResponseClientRedirect

from mtvweb.access import can, object_for
from mtvweb.views.generic import namespaces_allowed
from plans import actions
from plans.models import Plan, WizardState
from plans.wizard import finish as finishing
from plans.wizard.state import Choices, from_plan
from plans.wizard.steps import all_steps


def step_url(state: WizardState, name: str, check=False) -> str:
    return reverse("plans:wizard_step", args=[state.pk, name]) + ("?check=1" if check else "")


class WizardStepView(LoginRequiredMixin, View):
    """One step of a wizard the user has started (its choices kept in a WizardState)."""

    def setup_state(self, request, state: WizardState, step: str):
        self.state = state
        self.plan = state.plan
        self.steps = all_steps(self.plan)
        self.names = [s.name for s in self.steps]
        if step not in self.names:
            raise PermissionDenied(f"The wizard has no step {step}.")
        self.index = self.names.index(step)
        self.choices = Choices(state.data, request.user, state.pk)

    def get(self, request, pk, step):
        self.setup_state(request, get_object_or_404(WizardState, pk=pk, user=request.user), step)
        current = self.steps[self.index]
        errors = current.problems(self.choices) if request.GET.get("check") else {}
        return self.render(request, errors, page=request.GET.get("page", 1))

    def post(self, request, pk, step):
        self.setup_state(request, get_object_or_404(WizardState, pk=pk, user=request.user), step)
        return self.take(request)

    def take(self, request):
        """Keep what the posted step holds, then go where the button says."""
        current = self.steps[self.index]
        notes = current.apply(self.choices, request.POST, request.FILES)
        self.save()
        action = request.POST.get("action", "")
        goto = request.POST.get("goto", "")
        if action == "back":
            return self.go(request, max(self.index - 1, 0))
        if goto in self.names and self.names.index(goto) <= self.index:
            return self.go(request, self.names.index(goto))
        if action == "finish":
            return self.finish(request)
        if action == "next" or goto in self.names:
            wanted = self.index + 1 if action == "next" else self.names.index(goto)
            for index in range(self.index, wanted):
                problems = self.steps[index].problems(self.choices)
                if problems:
                    if index == self.index:
                        return self.render(request, {**notes, **problems})
                    return self.go(request, index, check=True)
            return self.go(request, min(wanted, len(self.steps) - 1))
        page = 1 if action == "filter" else (request.POST.get("page") or request.POST.get("current_page") or 1)
        return self.render(request, notes, page=page)


    def save(self):
        self.state.data = self.choices.data
        self.state.save(update_fields=["data", "updated"])

    @property
    def form_url(self) -> str:
        """Where the page posts: the start URL until the wizard is saved, then the step's."""
        return getattr(self, "start_url", None) or step_url(self.state, self.steps[self.index].name)

    def go(self, request, index, check=False):
        url = step_url(self.state, self.names[index], check)
        if request.htmx:
            self.index = index
            current = self.steps[index]
            response = self.render(request, current.problems(self.choices) if check else {})
            response["HX-Push-Url"] = url
            return response
        return HttpResponseRedirect(url)

    def blocking(self, upto: int) -> list[tuple[str, str, list[str]]]:
        """(step name, title, messages) of the steps before `upto` that still need something."""
        found = []
        for s in self.steps[:upto]:
            problems = s.problems(self.choices)
            if problems:
                found.append((s.name, s.title, [m for ms in problems.values() for m in ms]))
        return found

    def finish(self, request):
        blocking = self.blocking(len(self.steps))
        if blocking:
            return self.render(request, {"finish": [f"{title}: {' '.join(texts)}" for _, title, texts in blocking]})
        try:
            plan = finishing.finish(self.choices, self.plan)
        except finishing.FinishFailed as exc:
            return self.render(request, {"finish": [str(exc)]})
        self.state.delete()
        messages.success(request, f"{'Saved' if self.plan else 'Created'} plan {plan.name}: {plan.get_status_display()}.")
        url = reverse("plans:plan", args=[plan.pk])
        return HttpResponseClientRedirect(url) if request.htmx else HttpResponseRedirect(url)

    def render(self, request, errors, page=1):
        current = self.steps[self.index]
        blocking = self.blocking(self.index + 1 if current.name == "review" else self.index)
        blocked_names = {name for name, _, _ in blocking}
        nav, earlier_blocked = [], ""
        for index, s in enumerate(self.steps):
            nav.append({"name": s.name, "title": s.title, "current": index == self.index,
                        "disabled_reason": earlier_blocked if index > self.index else "",
                        "needs_work": s.name in blocked_names})
            if not earlier_blocked and index >= self.index and s.problems(self.choices):
                earlier_blocked = f"Complete {s.title} first."
        context = current.context(self.choices, page) if current.name == "vms" else current.context(self.choices)
        if request.method == "POST":
            self.save()  # context() may have filled in suggestions; a GET shows them and saves nothing
        context.update({
            "state": self.state, "step": current, "nav": nav, "errors": errors, "choices": self.choices,
            "general": self.choices.general, "plan": self.plan, "blocking": blocking,
            "first": self.index == 0, "last": current.name == "review",
            "step_url": self.form_url,
            "title": f"Edit plan {self.plan.name}" if self.plan else "Create migration plan",
        })
        template = "plans/wizard/wizard.html"
        if request.htmx and request.htmx.target == "wizard":
            template = "plans/wizard/body.html"
        failed = errors and request.method == "POST" and not request.htmx  # htmx swaps only 2xx answers
        return render(request, template, context, status=400 if failed else 200)


class WizardStartView(WizardStepView):
    """The wizard's first page. GET shows the General step and saves nothing; the first POST keeps
    the choices in a new WizardState, and from then on the wizard lives at its steps' URLs."""

    def initial(self, request, **kwargs) -> WizardState:
        """The unsaved state to start from (or a response: where to go instead)."""
        raise NotImplementedError

    def get(self, request, **kwargs):
        state = self.initial(request, **kwargs)
        if not isinstance(state, WizardState):
            return state
        self.setup_state(request, state, "general")
        self.start_url = request.path
        return self.render(request, {})

    def post(self, request, **kwargs):
        state = self.initial(request, **kwargs)
        if not isinstance(state, WizardState):
            return state
        state.save()
        self.setup_state(request, state, "general")
        response = self.take(request)
        if request.htmx and "HX-Push-Url" not in response:
            response["HX-Replace-Url"] = step_url(state, self.names[self.index])  # a reload keeps the choices
        return response


class WizardNewView(WizardStartView):
    def initial(self, request):
        allowed = namespaces_allowed(request.user, Plan, "add")
        if allowed == []:
            raise PermissionDenied("You may not create plans in any project: ask an admin for the editor role.")
        namespace = request.namespace if request.namespace and can(request.user, Plan, "add", request.namespace) \
            else (sorted(allowed)[0] if allowed else "")
        return WizardState(user=request.user, data={"general": {"namespace": namespace}})


class WizardEditView(WizardStartView):
    def initial(self, request, pk):
        plan = object_for(request.user, Plan.objects.all(), pk)
        refused = actions.refusal(request.user, plan, "edit")
        if refused:
            messages.error(request, refused[1])
            return HttpResponseRedirect(reverse("plans:plan", args=[plan.pk]))
        return WizardState(user=request.user, plan=plan, data=from_plan(plan))

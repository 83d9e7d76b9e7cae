"""The login page, with a bound on failed attempts (mtvweb/throttle.py)."""

from django.contrib.auth import views as auth_views
from django.shortcuts import render

from mtvweb import throttle


class LoginView(auth_views.LoginView):
    template_name = "auth/login.html"

    def post(self, request, *args, **kwargs):
        keys = throttle.keys(request, request.POST.get("username", ""))
        if seconds := throttle.wait_seconds(keys):
            form = self.get_form_class()(request)
            response = render(request, self.template_name, {"form": form, "throttled": throttle.message(seconds)},
                              status=429)
            response["Retry-After"] = str(seconds)
            return response
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form):
        throttle.record_failure(throttle.keys(self.request, form.data.get("username", "")))
        return super().form_invalid(form)

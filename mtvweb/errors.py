"""What the site answers when it cannot serve a request: always a message that says why, as JSON on
the APIs and as a page (or text) elsewhere. `bad_request` is Django's handler400 (a body too large,
too many fields, a Host not served…: Django tells no more than "Bad Request"). The middleware refuses
an address holding a NUL character (no database stores one), answers 400 for any other value the
database refuses to store or compare (DataError: it came from the request), and gives the 4xx
answers that come without a body (405 from a view that takes no such method) their reason."""

import logging

from django.conf import settings
from django.core.exceptions import DisallowedHost, RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.db import DataError
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render

log = logging.getLogger(__name__)

API_PREFIXES = ("/api/", "/inventory/", "/validation/")
DEFAULT = "The request could not be read: its body or headers are malformed."


def on_api(request) -> bool:
    return request.path.startswith(API_PREFIXES)


def bad_request_reason(exception) -> str:
    if isinstance(exception, RequestDataTooBig):
        return (f"The request body is larger than the {settings.DATA_UPLOAD_MAX_MEMORY_SIZE // 2**20} MB the "
                "server reads; send less.")
    if isinstance(exception, TooManyFieldsSent | TooManyFilesSent):
        return "The request has more fields or files than the server reads; send fewer."
    if isinstance(exception, DisallowedHost):
        return "The Host header names no host this server answers to (ALLOWED_HOSTS)."
    return DEFAULT


def bad_request(request, exception=None, message=""):
    message = message or bad_request_reason(exception)
    if on_api(request):
        return JsonResponse({"detail": message}, status=400)
    return render(request, "400.html", {"message": message}, status=400)


def explained(request, response) -> HttpResponse:
    if response.status_code == 405:
        allowed = response.get("Allow", "")
        message = f"{request.method} is not accepted here; this address takes {allowed or 'no method'}."
    else:
        message = f"The request was refused ({response.status_code})."
    if on_api(request):
        response.content = JsonResponse({"detail": message}).content
        response["Content-Type"] = "application/json"
    else:
        response.content = message.encode()
        response["Content-Type"] = "text/plain; charset=utf-8"
    return response


class ExplainedErrorsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path or "%00" in request.META.get("QUERY_STRING", ""):
            return bad_request(request, message="The address holds a NUL character (%00); remove it.")
        response = self.get_response(request)
        if 400 <= response.status_code < 500 and not response.streaming and not response.content:
            return explained(request, response)
        return response

    def process_exception(self, request, exception):
        if isinstance(exception, DataError):
            log.info("%s %s: the database refused a value: %s", request.method, request.path, exception)
            return bad_request(request, message="The request holds a value the database cannot store or compare "
                                                "(a NUL character, a number or a text too large); change it.")
        return None

"""Malformed input never makes the site answer 500: every URL pattern (tests/urlwalk.py), its path
parameters filled with existing and bogus values, every method with broken bodies (bad JSON and YAML,
wrong types, a body too large, wrong or lying content types, bytes that are no UTF-8), broken headers
and query strings, as an anonymous user, a viewer and an editor. A 4xx must say something (what is
wrong, or what the address takes)."""

import json

import pytest
from django.contrib.auth import SESSION_KEY
from django.test import Client

from tests.urlwalk import paths, routes, world

pytestmark = [pytest.mark.django_db, pytest.mark.smoke]

WRONG_TYPES = {"name": 5, "namespace": ["team-a"], "type": {"x": 1}, "url": 7, "spec": "x", "metadata": [],
               "vms": "all", "action": 3, "pk": {"a": 1}, "kind": None, "apiVersion": 1, "ids": "1,2",
               "password": ["p"], "token": 1.5, "insecure_skip_verify": "maybe", "target_namespace": {"a": "b"}}
BODIES = [
    ("application/json", b'{"name": '),
    ("application/json", b"[1, 2]"),
    ("application/json", b'"text"'),
    ("application/json", b"null"),
    ("application/json", json.dumps(WRONG_TYPES).encode()),
    ("application/json", json.dumps({"metadata": {"name": "x" * 5000}, "spec": {"map": [[]], "vms": [None]}}).encode()),
    ("application/json", b'{"name": "\xff\xfe"}'),
    ("application/json", b'{"name": "a\\u0000b", "metadata": {"name": "a\\u0000b", "namespace": "team-a"}}'),
    ("application/json; charset=no-such-charset", b'{"name": "x"}'),
    ("application/yaml", b"spec: [unclosed\n  - : :"),
    ("application/yaml", b"!!python/object/apply:os.system ['true']\n"),
    ("application/yaml", b"- just\n- a list\n"),
    ("application/x-www-form-urlencoded", b"name=%ZZ&&=&pk=abc&pk=%00&action=%00&namespace=" + b"n" * 300),
    ("multipart/form-data", b"--x\r\nContent-Disposition: form-data\r\n\r\n"),
    ("multipart/form-data; boundary=x", b"--x\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nb"),
    ("application/octet-stream", bytes(range(256))),
    ("text/plain", b"\x00\x01\x02"),
]
TOO_LARGE = ("application/json", b'{"name": "' + b"x" * (3 * 2**20) + b'"}')
HEADERS = [
    {"HTTP_AUTHORIZATION": "Bearer"},
    {"HTTP_AUTHORIZATION": "Bearer one two"},
    {"HTTP_AUTHORIZATION": "Bearer \u00ff\u00fe"},
    {"HTTP_AUTHORIZATION": "Basic !!!"},
    {"HTTP_HX_REQUEST": "true", "HTTP_HX_CURRENT_URL": "javascript:alert(1)", "HTTP_HX_TARGET": "\u00ff"},
    {"HTTP_ACCEPT": "application/yaml;q=x, */*;q=-1"},
    {"HTTP_COOKIE": "sessionid=\u00ff; csrftoken=%00"},
    {"HTTP_ACCEPT_LANGUAGE": "x" * 300},
]
QUERIES = ["?limit=abc&offset=-1&sort=%00&page=x&per_page=-5&namespace=%00",
           "?page=999999999999999999999&sort=-nope&limit=99999999999999999999&type=%E2&q=" + "q" * 3000]


@pytest.fixture
def site(people):
    return world(people)


def clients(people):
    """(role, a client that is that role whenever it is asked: a request may have logged it out, or sent a
    cookie that replaced its session)."""
    yield "anonymous", Client(raise_request_exception=False).generic
    for role in ("viewer", "editor"):
        client = Client(raise_request_exception=False)

        def send(*args, client=client, user=people[role], **kwargs):
            if SESSION_KEY not in client.session:
                client.force_login(user)
            return client.generic(*args, **kwargs)

        yield role, send


def requests_for(path, every_body=True):
    """(method, URL, body and its content type, headers); bodies go as they are, bytes for bytes.
    A path that names nothing gets each method once: the bodies are tried where there is something."""
    yield "GET", path, {}, {}
    if not every_body:
        for method in ("POST", "PUT", "PATCH", "DELETE"):
            yield method, path, {"data": BODIES[4][1], "content_type": "application/json"}, {}
        return
    for headers in HEADERS:
        yield "GET", path, {}, headers
    for query in QUERIES:
        yield "GET", path + query, {}, {}
    for content_type, body in [*BODIES, TOO_LARGE]:
        yield "POST", path, {"data": body, "content_type": content_type}, {}
    for method in ("PUT", "PATCH"):
        for content_type, body in BODIES[:6] + BODIES[8:10]:
            yield method, path, {"data": body, "content_type": content_type}, {}
    yield "DELETE", path, {"data": b"{", "content_type": "application/json"}, {}
    yield "POST", path, {"data": b"{}", "content_type": "application/json"}, HEADERS[1]


@pytest.mark.parametrize("route", routes(), ids=str)
def test_no_malformed_request_gets_a_500(route, people, site):
    failures = []
    for role, send in clients(people):
        for index, path in enumerate(paths(route, site)):
            for method, url, body, headers in requests_for(path, every_body=index == 0):
                response = send(method, url, **body, **headers)
                silent = 400 <= response.status_code < 500 and not response.streaming and not response.content
                if response.status_code >= 500 or silent:
                    failures.append(f"{role} {method} {url[:120]} {body.get('content_type', '')} "
                                    f"{headers}: {response.status_code}{' without a word' if silent else ''}")
    assert not failures, f"{len(failures)} answers of 500 or more, or 4xx without a message:\n" + "\n".join(
        sorted(set(failures))[:60])

"""Every answer carries a Content-Security-Policy that runs no inline script, and no page needs one:
no on…= handler, no <script> without src, no javascript: link, no htmx attribute that evaluates
code. Checked on what each page answers (tests/urlwalk.py) and on every template and widget."""

import re
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from tests.urlwalk import paths, routes, world

pytestmark = [pytest.mark.django_db, pytest.mark.smoke]
ROOT = Path(__file__).resolve().parents[1]
INLINE_CODE = [
    (re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.IGNORECASE), "an on… handler"),
    (re.compile(r"<script(?![^>]*\bsrc=)[^>]*>(?!\s*</script>)", re.IGNORECASE), "an inline <script>"),
    (re.compile(r"javascript:", re.IGNORECASE), "a javascript: URL"),
    (re.compile(r"\shx-on[:-]", re.IGNORECASE), "hx-on (htmx evaluates it)"),
    (re.compile(r"hx-(?:vals|vars|headers)=['\"]\s*(?:js|javascript):", re.IGNORECASE), "htmx js: values"),
    (re.compile(r"hx-trigger=\"[^\"]*\[", re.IGNORECASE), "an htmx trigger filter (evaluated)"),
]
WIDGET_HANDLER = re.compile(r"""["']on[a-z]+["']\s*:""")


def inline_code(text: str) -> list[str]:
    return [f"{what}: {match[0][:80]}" for pattern, what in INLINE_CODE for match in [pattern.search(text)] if match]


def test_no_template_or_widget_carries_inline_code():
    found = {str(p.relative_to(ROOT)): inline_code(p.read_text()) for p in sorted((ROOT / "templates").rglob("*.html"))}
    for top in ("mtvweb", "providers", "mappings", "plans"):
        for path in sorted((ROOT / top).rglob("*.py")):
            if "pods" not in path.parts and WIDGET_HANDLER.search(path.read_text()):
                found[str(path.relative_to(ROOT))] = ["a widget attribute on…"]
    assert not {path: problems for path, problems in found.items() if problems}


@pytest.mark.parametrize("role", ["admin", "editor"])
def test_every_page_answers_with_the_policy_and_no_inline_code(people, role):
    site = world(people)
    client = Client(raise_request_exception=False)
    client.force_login(people[role])
    checked, problems = 0, []
    for route in routes():
        path = paths(route, site)[0]
        for headers in ({}, {"HTTP_HX_REQUEST": "true"}):
            response = client.get(path, **headers)
            policy = response.headers.get("Content-Security-Policy", "")
            script_src = next((d for d in policy.split(";") if d.strip().startswith("script-src")), "")
            if script_src.split() != ["script-src", "'self'"]:
                problems.append(f"{path}: policy {policy!r}")
            if response.get("Content-Type", "").startswith("text/html") and not response.streaming:
                text = response.content.decode()
                problems += [f"{path}: {p}" for p in inline_code(text)]
                # Template syntax that reached the page: a comment Django does not take (a {# #}
                # is one line only) shows its text to every user.
                problems += [f"{path}: template text {mark}" for mark in ("{#", "{%", "%}") if mark in text]
                checked += 1
    assert not problems
    assert checked > 40  # the walk did reach the pages


def test_the_thumbprint_offer_has_no_inline_code(client, people, tmp_path):
    from tests.providers.helpers import recording_server

    client.force_login(people["admin"])
    with recording_server(tmp_path) as (url, _):
        offer = client.post(reverse("providers:thumbprint", args=["vsphere"]), {"url": url}, HTTP_HX_REQUEST="true")
    page = offer.content.decode()
    assert 'data-testid="use-thumbprint"' in page and not inline_code(page)
    assert "script-src 'self';" in offer.headers["Content-Security-Policy"]

"""Validation test fixtures: a real OPA server, both engines, and concerns per lab VM."""

import os
import secrets
import socket
import subprocess
import time
from urllib.parse import quote

import pytest
import requests
from django.conf import settings

from providers.models import VirtualMachine
from providers.validation import opa
from providers.validation.engines import OpaEngine, RegopyEngine
from providers.validation.validator import Validator


@pytest.fixture(scope="session")
def opa_token():
    """The token of the suite's OPA server; OpaEngine sends settings.MTVWEB_OPA_TOKEN by default."""
    token = settings.MTVWEB_OPA_TOKEN or secrets.token_urlsafe(24)
    settings.MTVWEB_OPA_TOKEN = token
    return token


@pytest.fixture(scope="session")
def opa_url(opa_token):
    """`opa run --server` on a free loopback port, as production runs it: requests need the token."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(opa.server_command(settings.MTVWEB_OPA_BINARY, f"127.0.0.1:{port}"),
                            env=opa.server_environment(opa_token), stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            if requests.get(f"{url}/health", timeout=1).status_code == 200:
                break
        except requests.ConnectionError:
            pass
        if time.monotonic() > deadline or proc.poll() is not None:
            raise RuntimeError("OPA did not start")
        time.sleep(0.1)
    yield url
    os.killpg(proc.pid, 15)
    proc.wait(10)


def policy_ids(opa_url) -> set[str]:
    """The ids of the modules the OPA server holds now."""
    answer = requests.get(f"{opa_url}/v1/policies", headers=opa_headers(), timeout=10)
    answer.raise_for_status()
    return {p["id"] for p in answer.json()["result"]}


def opa_headers() -> dict:
    return {"Authorization": f"Bearer {settings.MTVWEB_OPA_TOKEN}"}


@pytest.fixture
def clean_opa(opa_url):
    """The shared OPA server, left as the test found it: modules the test added are deleted after it,
    so no later test sees (or depends on) them."""
    before = policy_ids(opa_url)
    yield opa_url
    # OPA refuses to delete a module another one still uses: go round until all are gone.
    added = policy_ids(opa_url) - before
    while added:
        for module_id in sorted(added):
            requests.delete(f"{opa_url}/v1/policies/{quote(module_id, safe='')}", headers=opa_headers(), timeout=10)
        left = policy_ids(opa_url) - before
        assert left < added, f"OPA keeps refusing to delete {sorted(left)}"
        added = left


@pytest.fixture(params=["regopy", "opa"])
def engine(request, opa_url):
    return RegopyEngine() if request.param == "regopy" else OpaEngine(opa_url)


def concerns_by_vm(provider, engine) -> dict[str, list[dict]]:
    """Validate every VM of the provider with the engine; {VM name: its concerns}."""
    VirtualMachine.objects.filter(provider=provider).update(revision_validated=0, policy_version=0)
    Validator(engine).validate_pending()
    return {vm.name: vm.concerns for vm in VirtualMachine.objects.filter(provider=provider)}


def labels(concerns: list[dict]) -> set[str]:
    return {c["label"] for c in concerns}

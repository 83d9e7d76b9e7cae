"""Custom rules are code a user wrote: OPA runs them with no environment and no built-in that reaches
the world, and the OPA server serves only who holds its token."""

import json

import pytest
import requests
from django.conf import settings

from providers.validation import opa
from providers.validation.engines import OpaEngine, PolicyError
from tests.validation.test_engine_edges import HELPER, USES_HELPER, VERSION


def test_opa_sees_an_empty_environment(monkeypatch):
    monkeypatch.setenv("MTVWEB_ENCRYPTION_KEYS", "a-key-a-rule-must-never-read")
    result = opa.run(settings.MTVWEB_OPA_BINARY, ["eval", "--format", "json", "opa.runtime().env"])
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["result"][0]["expressions"][0]["value"] == {}


def test_the_capabilities_leave_out_every_builtin_that_reaches_out(db):
    builtins = {b["name"] for b in json.loads(opa.capabilities_file(settings.MTVWEB_OPA_BINARY).read_text())["builtins"]}
    assert {"count", "concat", "json.marshal", "regex.match"} <= builtins
    assert not {"http.send", "opa.runtime", "net.lookup_ip_addr", "net.cidr_contains", "print"} & builtins


def test_the_server_refuses_requests_without_its_token(opa_url, opa_token):
    assert requests.get(f"{opa_url}/health", timeout=10).status_code == 200  # readiness needs no token
    for path in ("/v1/policies", "/v1/data", "/v1/data/system/authz"):
        assert requests.get(f"{opa_url}{path}", timeout=10).status_code == 401, path
        assert requests.get(f"{opa_url}{path}", headers={"Authorization": "Bearer not-the-token"},
                            timeout=10).status_code == 401, path
    refused = requests.put(f"{opa_url}/v1/policies/x", data="package x\n", timeout=10)
    assert refused.status_code == 401
    assert requests.get(f"{opa_url}/v1/policies", headers={"Authorization": f"Bearer {opa_token}"},
                        timeout=10).status_code == 200


def test_the_engine_validates_with_the_token_and_says_when_it_is_wrong(opa_url, opa_token):
    with pytest.raises(PolicyError, match="refused mtvweb's token"):
        OpaEngine(opa_url, token="not-the-token").load("vsphere", {"v.rego": VERSION})
    engine = OpaEngine(opa_url, token=opa_token)
    engine.load("vsphere", {"a/uses_helper.rego": USES_HELPER, "z/helper.rego": HELPER, "v.rego": VERSION})
    assert engine.concerns("vsphere", [{"cpuCount": 16}])[0][0]["label"] == "Large"
    assert engine.rules_version("vsphere") == 1

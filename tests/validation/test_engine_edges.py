"""Where the two engines need help: module order on the OPA server, and text regopy cannot output."""

import pytest

from providers.validation.engines import UNREADABLE, OpaEngine, RegopyEngine

PACKAGE = "package io.konveyor.forklift.vmware\n\n"
USES_HELPER = PACKAGE + (
    'concerns contains {"category": "Information", "label": "Large", "assessment": "Large VM."} if large\n')
HELPER = PACKAGE + "large if input.cpuCount > 8\n"
ECHOES_NAME = PACKAGE + (
    'concerns contains {"category": "Information", "label": concat(" ", ["Name:", input.name]), '
    '"assessment": "x"} if true\n')
VERSION = PACKAGE + 'rules_version := {"rules_version": 1}\n'


def test_opa_takes_modules_whatever_their_order(opa_url):
    """A rule that uses another module's rule is loaded even when it arrives first."""
    engine = OpaEngine(opa_url)
    engine.load("vsphere", {"a/uses_helper.rego": USES_HELPER, "z/helper.rego": HELPER, "v.rego": VERSION})
    assert engine.concerns("vsphere", [{"cpuCount": 16}, {"cpuCount": 2}]) == [
        [{"category": "Information", "label": "Large", "assessment": "Large VM."}], []]


def test_opa_reports_a_module_that_never_compiles(opa_url):
    from providers.validation.engines import PolicyError

    with pytest.raises(PolicyError, match="unsafe|undefined|rego"):
        OpaEngine(opa_url).load("vsphere", {"broken.rego": PACKAGE + "concerns contains x if y\n"})


def test_text_regopy_cannot_output_is_marked_not_the_whole_batch(opa_url):
    vms = [{"name": 'plain'}, {"name": 'with "quotes"'}]
    regopy = RegopyEngine()
    regopy.load("vsphere", {"echo.rego": ECHOES_NAME, "v.rego": VERSION})
    plain, quoted = regopy.concerns("vsphere", vms)
    assert plain[0]["label"] == "Name: plain" and quoted == [UNREADABLE]
    opa = OpaEngine(opa_url)
    opa.load("vsphere", {"echo.rego": ECHOES_NAME, "v.rego": VERSION})
    assert opa.concerns("vsphere", vms)[1][0]["label"] == 'Name: with "quotes"'

"""Where the two engines need help: module order on the OPA server, rules removed from it, and text
regopy cannot output. Each test leaves the shared OPA server as it found it (`clean_opa`)."""

import pytest

from providers.validation.engines import UNREADABLE, OpaEngine, RegopyEngine
from tests.validation.conftest import labels, policy_ids

PACKAGE = "package io.konveyor.forklift.vmware\n\n"
USES_HELPER = PACKAGE + (
    'concerns contains {"category": "Information", "label": "Large", "assessment": "Large VM."} if large\n')
HELPER = PACKAGE + "large if input.cpuCount > 8\n"
ECHOES_NAME = PACKAGE + (
    'concerns contains {"category": "Information", "label": concat(" ", ["Name:", input.name]), '
    '"assessment": "x"} if true\n')
VERSION = PACKAGE + 'rules_version := {"rules_version": 1}\n'
MANY_NICS = PACKAGE + (
    'concerns contains {"category": "Warning", "label": "Many NICs", "assessment": "x"} if count(input.nics) > 2\n')

pytestmark = pytest.mark.usefixtures("clean_opa")


def test_opa_takes_modules_whatever_their_order(opa_url):
    """A rule that uses another module's rule is loaded even when it arrives first."""
    engine = OpaEngine(opa_url)
    engine.load("vsphere", {"a/uses_helper.rego": USES_HELPER, "z/helper.rego": HELPER, "v.rego": VERSION})
    assert engine.concerns("vsphere", [{"cpuCount": 16}, {"cpuCount": 2}]) == [
        [{"category": "Information", "label": "Large", "assessment": "Large VM."}], []]


def test_a_rule_removed_is_gone_from_the_opa_server_and_its_concerns_with_it(opa_url):
    engine = OpaEngine(opa_url)
    vm = {"cpuCount": 16, "nics": [{}, {}, {}]}
    engine.load("vsphere", {"vmware/large.rego": USES_HELPER, "vmware/helper.rego": HELPER,
                            "custom/vmware/many_nics.rego": MANY_NICS, "vmware/rules_version.rego": VERSION})
    assert "mtvweb/custom/vmware/many_nics.rego" in policy_ids(opa_url)
    assert labels(engine.concerns("vsphere", [vm])[0]) == {"Large", "Many NICs"}
    engine.load("vsphere", {"vmware/large.rego": USES_HELPER, "vmware/helper.rego": HELPER,
                            "vmware/rules_version.rego": VERSION})
    assert "mtvweb/custom/vmware/many_nics.rego" not in policy_ids(opa_url)
    assert "mtvweb/vmware/large.rego" in policy_ids(opa_url)
    assert labels(engine.concerns("vsphere", [vm])[0]) == {"Large"}
    # Another engine (a restarted inventory service) sees the same server.
    assert labels(OpaEngine(opa_url).concerns("vsphere", [vm])[0]) == {"Large"}


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

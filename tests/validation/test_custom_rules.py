"""Custom rules (guide §6.2): refused with the engine's reason when wrong, and once accepted
they raise rules_version and reach every VM of the type."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from providers.models import ValidationRule, VirtualMachine
from providers.validation.custom import RuleRejected, save_rule
from providers.validation.rules import rules_version
from tests.providers.helpers import load
from tests.providers.vsphere_helpers import make_provider
from tests.validation.conftest import concerns_by_vm, labels

pytestmark = [pytest.mark.lab, pytest.mark.django_db]

MULTIPLE_DISKS = """package io.konveyor.forklift.vmware

has_multiple_disks if count(input.disks) > 1

concerns contains flag if {
	has_multiple_disks
	flag := {"category": "Information", "label": "Multiple disks detected", "assessment": "Multiple disks."}
}
"""
# The guide's own example (§6.2.1), in the old syntax OPA 1.x no longer accepts.
GUIDE_V0 = """package io.konveyor.forklift.vmware
has_drs_enabled_v0 {
    input.host.cluster.drsEnabled
}
concerns[flag] {
    has_drs_enabled_v0
    flag := {"category": "Information", "label": "VM running in a DRS-enabled cluster (v0)", "assessment": "x"}
}
"""


def rule(name, source, provider_type="vsphere"):
    return ValidationRule(provider_type=provider_type, name=name, source=source)


@pytest.mark.parametrize("name,source,message", [
    ("drs_v0", GUIDE_V0, "old Rego v0 syntax"),
    ("wrong_package", MULTIPLE_DISKS.replace("forklift.vmware", "forklift.ovirt"),
     "belongs to package io.konveyor.forklift.vmware, not io.konveyor.forklift.ovirt"),
    ("no_package", "concerns contains 1 if true\n", "has no package line"),
    ("version", "package io.konveyor.forklift.vmware\n\nrules_version := {\"rules_version\": 99}\n",
     "Leave rules_version out"),
    ("syntax", "package io.konveyor.forklift.vmware\n\nconcerns contains flag if {\n", "OPA refused the rule"),
    ("whole_set", "package io.konveyor.forklift.vmware\n\nconcerns := {\"x\"}\n", "OPA refused the rule"),
    ("Bad Name", MULTIPLE_DISKS, "Name the rule with lower-case letters"),
])
def test_bad_rules_are_refused_with_the_reason(name, source, message):
    version = rules_version("vsphere")
    with pytest.raises(RuleRejected, match=message):
        save_rule(rule(name, source))
    assert not ValidationRule.objects.exists()
    assert rules_version("vsphere") == version


CALLS = {
    "http.send": 'r := http.send({"method": "GET", "url": "http://169.254.169.254/latest/meta-data/"})',
    "opa.runtime": "r := opa.runtime().env.MTVWEB_ENCRYPTION_KEYS",
    "net.lookup_ip_addr": 'r := net.lookup_ip_addr("metadata.google.internal")',
}


@pytest.mark.parametrize("builtin", sorted(CALLS))
def test_a_rule_reaching_beyond_its_record_is_refused(builtin):
    source = ("package io.konveyor.forklift.vmware\n\nconcerns contains flag if {\n\t" + CALLS[builtin] + "\n"
              '\tflag := {"category": "Warning", "label": "x", "assessment": sprintf("%v", [r])}\n}\n')
    with pytest.raises(RuleRejected, match=f"The rule calls {builtin}, which custom rules may not use"):
        save_rule(rule("reach_out", source))
    assert not ValidationRule.objects.exists()


def test_a_rule_conflicting_with_another_default_is_refused():
    save_rule(rule("small", MULTIPLE_DISKS.replace("has_multiple_disks", "small") + "\ndefault small := false\n"))
    conflicting = "package io.konveyor.forklift.vmware\n\ndefault small := true\n"
    with pytest.raises(RuleRejected, match="multiple default rules"):
        save_rule(rule("conflict", conflicting))


def test_a_rule_that_breaks_evaluation_on_real_vms_is_refused(vsphere_lab):
    provider = make_provider(vsphere_lab)
    load(provider)
    clash = ("package io.konveyor.forklift.vmware\n\ncpu_label := \"few\" if input.cpuCount < 4\n"
             "cpu_label := \"many\" if input.cpuCount >= 2\n")
    with pytest.raises(RuleRejected, match="breaks evaluation of VM"):
        save_rule(rule("clash", clash))


def test_accepted_rule_raises_the_version_and_reaches_matching_vms(vsphere_lab, engine):
    provider = make_provider(vsphere_lab)
    load(provider)
    before = rules_version("vsphere")
    save_rule(rule("multiple_disks", MULTIPLE_DISKS))
    assert rules_version("vsphere") == before + 1
    concerns = concerns_by_vm(provider, engine)
    two_disks = {vm.name for vm in VirtualMachine.objects.filter(provider=provider) if len(vm.data["disks"]) > 1}
    assert two_disks, "the lab has VMs with two disks"
    assert {name for name, c in concerns.items() if "Multiple disks detected" in labels(c)} == two_disks
    vm = VirtualMachine.objects.get(provider=provider, name=next(iter(two_disks)))
    assert vm.policy_version == rules_version("vsphere")


def test_cli_adds_lists_and_removes_rules(monkeypatch):
    out = io.StringIO()
    monkeypatch.setattr("sys.stdin", io.StringIO(MULTIPLE_DISKS))
    version = rules_version("vsphere")
    call_command("rules", "add", "vsphere", "multiple_disks", "-", stdout=out)
    assert f"rules version {version + 1}" in out.getvalue()
    out = io.StringIO()
    call_command("rules", "list", stdout=out)
    assert "vsphere\tmultiple_disks\tenabled" in out.getvalue()
    call_command("rules", "remove", "vsphere", "multiple_disks", stdout=io.StringIO())
    assert rules_version("vsphere") == version + 2
    monkeypatch.setattr("sys.stdin", io.StringIO(GUIDE_V0))
    with pytest.raises(CommandError, match="old Rego v0 syntax"):
        call_command("rules", "add", "vsphere", "drs_v0", "-", stdout=io.StringIO())


@pytest.mark.parametrize("role,status", [("admin", 200), ("nsadmin", 403), ("viewer", 403)])
def test_only_cluster_admins_manage_rules(client, people, role, status):
    client.force_login(people[role])
    assert client.get(reverse("providers:rules")).status_code == status
    response = client.post(reverse("providers:rule_add"), {"provider_type": "vsphere", "name": "multiple_disks",
                                                           "source": MULTIPLE_DISKS, "enabled": "on"})
    assert ValidationRule.objects.exists() == (status == 200)
    assert response.status_code in ((302,) if status == 200 else (403,))


def test_rules_version_is_served_at_the_guides_path(client, people):
    client.force_login(people["viewer"])
    url = "/validation/v1/data/io/konveyor/forklift/vmware/rules_version"
    assert client.get(url).json() == {"result": {"rules_version": rules_version("vsphere")}}
    save_rule(rule("multiple_disks", MULTIPLE_DISKS))
    assert client.get(url).json()["result"]["rules_version"] == rules_version("vsphere")
    assert client.get("/validation/v1/data/io/konveyor/forklift/hyperv/rules_version").status_code == 404

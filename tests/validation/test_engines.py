"""The two policy engines agree: every default policy, through OPA and through regopy, on the
same inputs — every VM of every source type's lab inventory — gives the same concerns."""

import pytest

from providers.validation.rules import has_rules
from tests.providers.helpers import load
from tests.validation.conftest import concerns_by_vm
from tests.validation.test_openshift_rules import apis, host, namespace, source_vms  # noqa: F401 - fixtures

pytestmark = [pytest.mark.lab, pytest.mark.django_db]


def vsphere_provider(request):
    from tests.providers.vsphere_helpers import make_provider

    return make_provider(request.getfixturevalue("vsphere_lab"))


def ovirt_provider(request):
    from tests.providers.test_ovirt import make_provider

    return make_provider(request.getfixturevalue("ovirt_lab"))


def openstack_provider(request):
    from tests.providers.test_openstack import make_provider

    return make_provider(request.getfixturevalue("openstack_lab"))


def ova_provider(request):
    from tests.providers.test_ova import make_provider

    request.getfixturevalue("settings").MTVWEB_KUBECONFIG = request.getfixturevalue("kube_lab")["admin_kubeconfig"]
    return make_provider(request.getfixturevalue("ova_lab")["nfs_url"])


def openshift_provider(request):
    """The lab cluster with the openshift rules' own VMs (a fresh lab has none otherwise)."""
    return request.getfixturevalue("source_vms")


SOURCES = {"vsphere": vsphere_provider, "ovirt": ovirt_provider, "openstack": openstack_provider,
           "ova": ova_provider, "openshift": openshift_provider}


@pytest.mark.parametrize("provider_type", list(SOURCES))
def test_opa_and_regopy_give_identical_concerns(request, opa_url, provider_type):
    from providers.validation.engines import OpaEngine, RegopyEngine

    if not has_rules(provider_type):
        pytest.fail(f"{provider_type} has no default policies")
    provider = SOURCES[provider_type](request)
    load(provider)
    through_opa = concerns_by_vm(provider, OpaEngine(opa_url))
    through_regopy = concerns_by_vm(provider, RegopyEngine())
    assert through_opa, "the lab inventory has VMs"
    assert through_opa == through_regopy
    assert any(through_opa.values()), "some lab VM has a concern"

import pytest
from django.urls import reverse

from plans.settings import ControllerSettings

pytestmark = [pytest.mark.django_db, pytest.mark.smoke]

DEFAULTS = {
    "max_vm_inflight": 20,
    "max_vm_per_host": 10,
    "must_gather_cleanup_hours": None,
    "controller_cpu_limit": "500m",
    "controller_memory_limit": "800Mi",
    "precopy_interval_minutes": 60,
    "snapshot_polling_seconds": 10,
    "filesystem_overhead_percent": 10,
    "block_overhead": "0",
}


def test_defaults_are_the_guides():
    current = ControllerSettings.current()
    assert {name: getattr(current, name) for name in DEFAULTS} == DEFAULTS


@pytest.fixture
def admin_client(client, people):
    client.force_login(people["admin"])
    return client


def edit(client, name, value):
    return client.post(reverse("setting_edit", args=[name]), {name: value}, HTTP_HX_REQUEST="true")


@pytest.mark.parametrize(
    "name,value,message",
    [
        ("precopy_interval_minutes", "-5", "Precopy interval (minutes) must be at least"),
        ("snapshot_polling_seconds", "0", "Snapshot polling interval (seconds) must be at least 1"),
        ("max_vm_inflight", "0", "Maximum concurrent VM migrations must be at least 1"),
        ("max_vm_inflight", "many", "Enter a whole number."),
        ("filesystem_overhead_percent", "150", "Filesystem overhead (%) must be at most 100"),
        ("controller_cpu_limit", "half a core", "is not a Kubernetes quantity"),
        ("controller_memory_limit", "800 MB", "is not a Kubernetes quantity"),
        ("block_overhead", "-1Gi", "is not a Kubernetes quantity"),
    ],
)
def test_invalid_values_are_refused_with_a_clear_message(admin_client, name, value, message):
    response = edit(admin_client, name, value)
    assert response.status_code == 422
    assert message in response.content.decode()
    assert getattr(ControllerSettings.current(), name) == DEFAULTS[name]


@pytest.mark.parametrize(
    "name,value,stored",
    [
        ("precopy_interval_minutes", "30", 30),
        ("must_gather_cleanup_hours", "24", 24),
        ("must_gather_cleanup_hours", "", None),
        ("controller_cpu_limit", "2", "2"),
        ("controller_memory_limit", "1Gi", "1Gi"),
        ("filesystem_overhead_percent", "15", 15),
        ("block_overhead", "1Gi", "1Gi"),
    ],
)
def test_valid_values_are_saved_for_the_engine(admin_client, name, value, stored):
    response = edit(admin_client, name, value)
    assert response.status_code == 200
    assert 'data-testid="saved"' in response.content.decode()
    assert getattr(ControllerSettings.current(), name) == stored


def test_unknown_setting_is_404(admin_client):
    assert admin_client.get(reverse("setting_edit", args=["debug_mode"])).status_code == 404


def test_conversion_runs_on_kvm_until_an_admin_turns_it_off(admin_client):
    """For clusters without KubeVirt's KVM device plugin: the conversion Pods then request no device."""
    assert ControllerSettings.current().conversion_kvm
    page = edit(admin_client, "conversion_kvm", "").content.decode()
    assert not ControllerSettings.current().conversion_kvm and "data-value>No" in page
    edit(admin_client, "conversion_kvm", "on")
    assert ControllerSettings.current().conversion_kvm

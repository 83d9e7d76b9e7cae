"""An OpenStack provider created in Chromium with each of the five authentication types:
choosing a type shows only its fields, and the provider connects."""

import pytest

from providers.models import Provider
from tests.fixtures.browser import log_in
from tests.providers.test_openstack import ca_pem, method_fields

pytestmark = [pytest.mark.browser, pytest.mark.lab, pytest.mark.django_db(transaction=True)]

METHODS = ["password", "token_user_id", "token_user_name", "application_credential_id",
           "application_credential_name"]
ALL_METHOD_FIELDS = {"username", "password", "token", "user_id", "project_id", "project_name", "domain_name",
                     "application_credential_id", "application_credential_name", "application_credential_secret"}


@pytest.mark.parametrize("method", METHODS)
def test_create_with_each_authentication_type(page, people, openstack_lab, method):
    log_in(page, people["nsadmin"])
    page.goto("/providers/add/")
    page.get_by_test_id("type-openstack").click()
    page.fill("#id_name", f"osp-{method.replace('_', '-')}")
    page.fill("#id_url", openstack_lab["auth_url"])
    page.select_option("#id_auth_method", method)
    fields = method_fields(openstack_lab, method)
    # The form comes back with this method's fields only; what was typed so far is kept.
    page.locator(f"#id_{next(iter(fields))}").wait_for()
    shown = {name for name in ALL_METHOD_FIELDS if page.locator(f"#id_{name}").count()}
    assert shown == {name for name in fields if name != "region_name"}
    assert page.input_value("#id_url") == openstack_lab["auth_url"]
    for name, value in fields.items():
        page.fill(f"#id_{name}", value)
    page.fill("#id_cacert", ca_pem(openstack_lab))
    page.get_by_test_id("submit").click()
    page.wait_for_url("**/providers/*/", timeout=60_000)  # the save tests the connection to Keystone first
    provider = Provider.objects.get(name=f"osp-{method.replace('_', '-')}")
    expected_type = {"password": "password", "token_user_id": "token", "token_user_name": "token"}.get(
        method, "applicationcredential")
    assert provider.credentials()["authType"] == expected_type

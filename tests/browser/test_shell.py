"""The console shell in Chromium: log in, pick a project, edit a setting in place."""

import pytest

from plans.settings import ControllerSettings
from tests.fixtures.browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_admin_switches_project_and_edits_a_setting(page, people, objects):
    log_in(page, people["admin"])
    assert page.url.endswith("/overview/")

    # The project selector on a list page narrows the list, and the choice sticks.
    page.goto("/plans/")
    table = page.get_by_test_id("object-table")
    assert objects["plan"].name in table.inner_text() and objects["other_plan"].name in table.inner_text()
    page.select_option("#namespace-select", "team-b")
    page.wait_for_url("**/plans/?namespace=team-b")
    assert objects["plan"].name not in table.inner_text()
    assert objects["other_plan"].name in table.inner_text()
    page.goto("/networkmaps/")
    assert page.locator("#namespace-select").input_value() == "team-b"

    # Edit a setting in place: a bad value is refused with the reason, a good one is saved.
    page.goto("/overview/")
    row = page.get_by_test_id("setting-precopy_interval_minutes")
    row.get_by_test_id("edit-precopy_interval_minutes").click()
    row.locator("input").fill("-5")
    row.get_by_test_id("save-precopy_interval_minutes").click()
    assert "must be at least 1" in row.get_by_test_id("error-precopy_interval_minutes").inner_text()
    row.locator("input").fill("45")
    row.get_by_test_id("save-precopy_interval_minutes").click()
    row.get_by_test_id("saved").wait_for()
    assert ControllerSettings.current().precopy_interval_minutes == 45
    page.reload()
    assert "45" in page.get_by_test_id("setting-precopy_interval_minutes").inner_text()


def test_viewer_sees_only_its_project_and_no_create_button(page, people, objects):
    log_in(page, people["viewer"])
    assert page.url.endswith("/plans/")
    options = page.locator("#namespace-select option").all_inner_texts()
    assert options == ["All projects", "team-a"]
    assert objects["other_plan"].name not in page.get_by_test_id("object-table").inner_text()
    assert page.get_by_test_id("create").count() == 0
    page.goto("/overview/")
    assert "not allowed" in page.content()


def test_wrong_password_says_so(page, people):
    page.goto("/login/")
    page.fill("#id_username", "viewer")
    page.fill("#id_password", "not-the-password")
    page.click("button[type=submit]")
    assert "user name or password is wrong" in page.content()

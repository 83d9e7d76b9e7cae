import os

import pytest

# Playwright's sync API keeps an event loop in the test thread; the ORM calls tests make
# between browser steps are still plain synchronous code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytest_plugins = ["tests.fixtures.lab", "tests.fixtures.app", "tests.fixtures.browser"]


@pytest.fixture(autouse=True)
def _close_inventory_collectors():
    """Sources' sessions opened by tests/providers/helpers.load() end with the test."""
    yield
    from tests.providers.helpers import OPEN_COLLECTORS

    while OPEN_COLLECTORS:
        collector = OPEN_COLLECTORS.pop()
        if hasattr(collector, "close"):
            collector.close()

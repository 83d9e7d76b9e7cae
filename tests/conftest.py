import os

import pytest

# Playwright's sync API keeps an event loop in the test thread; the ORM calls tests make
# between browser steps are still plain synchronous code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytest_plugins = ["tests.fixtures.lab", "tests.fixtures.app", "tests.fixtures.browser"]

# The lab's sources all listen on loopback, which namespace admins may not reach unless a cluster
# admin allows it (providers/addresses.py): the lab allows it, as scripts/lib/common.sh does for
# scripts/test and scripts/demo.
LAB_NETWORKS = "127.0.0.0/8,::1/128"


@pytest.fixture(scope="session", autouse=True)
def _lab_addresses_allowed():
    from django.conf import settings

    os.environ.setdefault("MTVWEB_ALLOWED_PROVIDER_NETWORKS", LAB_NETWORKS)  # for child servers and workers
    settings.MTVWEB_ALLOWED_PROVIDER_NETWORKS = [c for c in os.environ["MTVWEB_ALLOWED_PROVIDER_NETWORKS"].split(",")
                                                 if c.strip()]


@pytest.fixture(autouse=True)
def _close_inventory_collectors():
    """Sources' sessions opened by tests/providers/helpers.load() end with the test."""
    yield
    from tests.providers.helpers import OPEN_COLLECTORS

    while OPEN_COLLECTORS:
        collector = OPEN_COLLECTORS.pop()
        if hasattr(collector, "close"):
            collector.close()

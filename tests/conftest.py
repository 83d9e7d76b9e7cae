import os

# Playwright's sync API keeps an event loop in the test thread; the ORM calls tests make
# between browser steps are still plain synchronous code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytest_plugins = ["tests.fixtures.lab", "tests.fixtures.app", "tests.fixtures.browser"]

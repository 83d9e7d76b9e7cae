pytest_plugins = ["tests.fixtures.lab"]

"""A pytest launcher for bench/mutants.py that pays for the slow imports once: it imports the
third-party packages the tests use (never the project's own modules, which a mutant changes),
then forks one child per request, and the child runs pytest.main in the tree it was started in.

Requests on stdin, one JSON line each: {"args": [...], "output": "<file for pytest's output>"}.
Answers on stdout: {"pid": n} when the child started (its own session: kill its group to stop
it), then {"status": exit code} when it ended.
"""

from __future__ import annotations

import json
import os
import sys

# (django_tables2 reads the settings on import, which are the project's: not preloaded.)
PRELOAD = ["pytest", "_pytest.python", "_pytest.assertion.rewrite", "django", "django.test",
           "django.db.backends.sqlite3.base", "rest_framework", "django_filters", "channels", "factory", "faker",
           "yaml", "numpy", "blake3", "requests", "urllib3", "cryptography.fernet", "kubernetes.client", "aiohttp"]
PROJECT = ("mtvweb", "plans", "providers", "mappings", "lab", "tests")


def preload() -> None:
    for name in PRELOAD:
        try:
            __import__(name)
        except Exception:  # noqa: BLE001 - a package missing here is imported by the tests themselves
            pass
    leaked = sorted(m for m in sys.modules if m.split(".")[0] in PROJECT)
    if leaked:  # a child would test these as they were, not as a mutant changes them
        raise SystemExit(f"the zygote imported project modules: {', '.join(leaked)}")


def child(request: dict) -> None:
    os.setsid()
    output = os.open(request["output"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    os.dup2(output, 1)
    os.dup2(output, 2)
    os.dup2(os.open(os.devnull, os.O_RDONLY), 0)
    import pytest

    code = pytest.main(request["args"])
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(int(code))


def serve() -> None:
    preload()
    for line in sys.stdin:
        request = json.loads(line)
        pid = os.fork()
        if pid == 0:
            try:
                child(request)
            finally:
                os._exit(4)
        print(json.dumps({"pid": pid}), flush=True)
        _, status = os.waitpid(pid, 0)
        print(json.dumps({"status": os.waitstatus_to_exitcode(status)}), flush=True)

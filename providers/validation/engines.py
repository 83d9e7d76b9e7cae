"""Two policy engines behind one interface.

* `OpaEngine` — the real Open Policy Agent running as a server (`opa run --server`), the way
  Forklift runs its validation service; the production choice (settings.MTVWEB_OPA_URL).
  VMs are evaluated in batches through a small wrapper module, one HTTP call per batch.
* `RegopyEngine` — rego-cpp in process; the embedded default, needing no other process.

Both load a provider type's modules with `load()` and return, for each input record, the
concerns of that VM (a list of {category, label, assessment}) from `concerns()`.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import quote

import requests

from providers.validation.rules import data_path, package_name, packages

BATCH = 250
PARALLEL_BATCHES = 3


class PolicyError(Exception):
    """The engine refused the modules or failed to evaluate them; the message is the engine's."""


def batch_module(provider_type: str) -> str:
    suffix = packages()[provider_type]
    return (
        f"package mtvweb.batch.{suffix}\n\nimport rego.v1\n\nimport data.{package_name(provider_type)} as policy\n\n"
        "results := [r | some vm in input.vms; r := policy.concerns with input as vm]\n"
    )


class OpaEngine:
    """`token`: what the server's authorization policy asks for (settings.MTVWEB_OPA_TOKEN by default)."""

    def __init__(self, url: str, timeout: float = 60, token: str | None = None):
        from django.conf import settings

        self.url = url.rstrip("/")
        self.timeout = timeout
        self.token = settings.MTVWEB_OPA_TOKEN if token is None else token
        self.http = self.new_session()
        self.local = threading.local()

    def new_session(self) -> requests.Session:
        session = requests.Session()
        if self.token:
            session.headers["Authorization"] = f"Bearer {self.token}"
        return session

    def _put(self, module_id: str, source: str) -> None:
        response = self.http.put(f"{self.url}/v1/policies/{quote(module_id, safe='')}", data=source.encode(),
                                 headers={"Content-Type": "text/plain"}, timeout=self.timeout)
        if response.status_code != 200:
            raise PolicyError(self._message(response))

    @staticmethod
    def _message(response) -> str:
        if response.status_code == 401:
            return ("The OPA server refused mtvweb's token (401): set MTVWEB_OPA_TOKEN to the token the server "
                    "was started with.")
        try:
            body = response.json()
        except ValueError:
            return response.text
        errors = body.get("errors") or []
        details = "; ".join(f"{e.get('location', {}).get('file', '')}:{e.get('location', {}).get('row', '')}: "
                            f"{e.get('message', '')}" for e in errors)
        return f"{body.get('message', 'OPA refused the policy')}{': ' + details if details else ''}"

    def load(self, provider_type: str, modules: dict[str, str]) -> None:
        """Make the server hold exactly these modules for the type (any process may have loaded others)."""
        suffix = packages()[provider_type]
        ids = {f"mtvweb/{name}": source for name, source in modules.items()}
        ids[f"mtvweb/batch/{suffix}.rego"] = batch_module(provider_type)
        response = self.http.get(f"{self.url}/v1/policies", timeout=self.timeout)
        if response.status_code != 200:
            raise PolicyError(self._message(response))
        listed = response.json().get("result", [])
        ours = {p["id"] for p in listed if p["id"].startswith("mtvweb/") and (
            f"/{suffix}/" in p["id"] or p["id"] == f"mtvweb/batch/{suffix}.rego")}
        for stale in ours - set(ids):
            self.http.delete(f"{self.url}/v1/policies/{quote(stale, safe='')}", timeout=self.timeout)
        # OPA compiles each module as it arrives, so one that uses a rule of a module not sent yet
        # fails; send what failed again until everything is in, or nothing more goes in.
        pending = dict(ids)
        while pending:
            errors = {}
            for module_id, source in pending.items():
                try:
                    self._put(module_id, source)
                except PolicyError as exc:
                    errors[module_id] = exc
            if len(errors) == len(pending):
                raise next(iter(errors.values()))
            pending = {module_id: ids[module_id] for module_id in errors}

    def concerns(self, provider_type: str, inputs: list[dict]) -> list[list[dict]]:
        """Batches go to the server a few at a time: OPA evaluates on every core while the next
        batch is being encoded and sent."""
        path = f"{self.url}/v1/data/mtvweb/batch/{packages()[provider_type]}/results"
        chunks = [inputs[start:start + BATCH] for start in range(0, len(inputs), BATCH)]
        with ThreadPoolExecutor(max_workers=PARALLEL_BATCHES) as pool:
            answers = list(pool.map(lambda chunk: self._evaluate(path, chunk), chunks))
        return [result for answer in answers for result in answer]

    def _evaluate(self, path: str, chunk: list[dict]) -> list[list[dict]]:
        response = self.session().post(path, json={"input": {"vms": chunk}}, timeout=self.timeout)
        if response.status_code != 200:
            raise PolicyError(self._message(response))
        return response.json().get("result", [[] for _ in chunk])

    def session(self) -> requests.Session:
        """One HTTP session per thread (requests' sessions are not meant to be shared)."""
        if not hasattr(self.local, "session"):
            self.local.session = self.new_session()
        return self.local.session

    def rules_version(self, provider_type: str) -> int:
        response = self.http.get(f"{self.url}/v1/data/{data_path(provider_type, 'rules_version')}",
                                 timeout=self.timeout)
        if response.status_code != 200:
            raise PolicyError(self._message(response))
        return int(response.json().get("result", {}).get("rules_version", 0))


UNREADABLE = {
    "category": "Warning",
    "label": "Not fully validated",
    "assessment": "The embedded policy engine (regopy) could not return this VM's concerns: a rule's text "
                  "holds a quote or a backslash, which it cannot output. Set MTVWEB_OPA_URL to validate with OPA.",
}


class RegopyEngine:
    def __init__(self):
        self.interpreters: dict[str, object] = {}
        self.locks: dict[str, threading.Lock] = {}

    def load(self, provider_type: str, modules: dict[str, str]) -> None:
        from regopy import Interpreter

        interpreter = Interpreter()
        for name, source in modules.items():
            interpreter.add_module(name, source)
        probe = interpreter.query(f"x = data.{package_name(provider_type)}.rules_version")
        if not probe.ok():  # never str() a failed result: it crashed the process (field notes)
            raise PolicyError(f"regopy could not compile the {provider_type} rules.")
        self.interpreters[provider_type] = interpreter
        self.locks.setdefault(provider_type, threading.Lock())

    def _query(self, provider_type: str, rule: str, record=None):
        interpreter = self.interpreters[provider_type]
        if record is not None:
            interpreter.set_input(record)
        output = interpreter.query(f"x = data.{package_name(provider_type)}.{rule}")
        if not output.ok():
            raise PolicyError(f"regopy could not evaluate {rule} of the {provider_type} rules.")
        import json

        return json.loads(output.binding("x").json())

    def concerns(self, provider_type: str, inputs: list[dict]) -> list[list[dict]]:
        with self.locks[provider_type]:
            return [self._concerns_of(provider_type, record) for record in inputs]

    def _concerns_of(self, provider_type: str, record: dict) -> list[dict]:
        try:
            return self._query(provider_type, "concerns", record)
        except ValueError:
            # rego-cpp writes a string holding '"' or '\\' into its JSON output unescaped, so the
            # result cannot be read back. Say so on the VM rather than fail the whole batch.
            return [UNREADABLE]

    def rules_version(self, provider_type: str) -> int:
        with self.locks[provider_type]:
            return int(self._query(provider_type, "rules_version")["rules_version"])

"""Registry of the engine's write operations, and what they share.

A handler is registered per collection pattern (see lab.ovirt.schema.pattern_of):
`@creates("vms")`, `@updates("vms/nics")`, `@removes("vms")`, `@action("vms", "start")`.
It gets the Engine (state and settings), the path and the parsed request body, and
raises Fault for anything the real engine refuses.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from lab.ovirt.store import Store

CREATE: dict = {}
UPDATE: dict = {}
REMOVE: dict = {}
ACTION: dict = {}

XML = "application/xml"


class Fault(Exception):
    def __init__(self, status: int, detail: str, reason: str = "Operation Failed"):
        super().__init__(detail)
        self.status, self.detail, self.reason = status, detail, reason


def conflict(action: str, kind: str, why: str) -> Fault:
    """The engine's validation failure: 409 with `[Cannot <action> <kind>. <why>]`."""
    return Fault(409, f"[Cannot {action} {kind}. {why}]")


def not_found(path: str) -> Fault:
    return Fault(404, f"Entity not found: {path}", reason="Not Found")


@dataclass
class Engine:
    store: Store
    config: dict
    tasks: set = field(default_factory=set)

    @property
    def delay(self) -> float:
        """Seconds each simulated state change takes (VM power, snapshots, transfer set-up)."""
        return float(self.config.get("step_delay", 0.3))

    def later(self, coroutine) -> None:
        """Run a state change in the background, keeping a reference until it ends."""
        task = asyncio.get_running_loop().create_task(coroutine)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)


def creates(pattern: str):
    def register(fn):
        CREATE[pattern] = fn
        return fn
    return register


def updates(pattern: str):
    def register(fn):
        UPDATE[pattern] = fn
        return fn
    return register


def removes(pattern: str):
    def register(fn):
        REMOVE[pattern] = fn
        return fn
    return register


def action(pattern: str, name: str):
    def register(fn):
        ACTION[(pattern, name)] = fn
        return fn
    return register


def lookup(store: Store, kind: str, value: dict | None, what: str) -> dict:
    """Find the entity a request names by `id` or `name` (e.g. `<cluster><name>Default</name></cluster>`)."""
    if not isinstance(value, dict):
        raise Fault(400, f"[{what} is required.]", reason="Incomplete parameters")
    if value.get("id"):
        entity = store.collections.get(kind, {}).get(value["id"])
    else:
        entity = next((e for e in store.top(kind) if e.get("name") == value.get("name")), None)
    if entity is None:
        raise Fault(404, f"Entity not found: {what} {value.get('id') or value.get('name')}", reason="Not Found")
    return entity


def coerce(existing, text):
    """A request value (text) converted to the type the stored value has."""
    if isinstance(existing, bool):
        return str(text).lower() == "true"
    if isinstance(existing, int):
        return int(text)
    if isinstance(existing, float):
        return float(text)
    return text


def merge(target: dict, changes: dict, allowed: set | None = None) -> None:
    """Apply a parsed request body onto an entity, keeping the stored value types."""
    for key, value in changes.items():
        if key in ("id", "href") or (allowed is not None and key not in allowed):
            continue
        current = target.get(key)
        if isinstance(value, dict) and isinstance(current, dict) and "@" not in current:
            merge(current, value)
        elif isinstance(value, list):
            target[key] = value
        elif isinstance(value, dict):
            target[key] = value
        else:
            target[key] = coerce(current, value) if current is not None else _guess(value)


def _guess(text):
    if text in ("true", "false"):
        return text == "true"
    if isinstance(text, str) and text.lstrip("-").isdigit():
        return int(text)
    return text

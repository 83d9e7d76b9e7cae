"""List-then-watch loops that survive expired resource versions, API restarts and bugs.

Every round lists the objects (handing the whole snapshot to `resync`, so work missed
while disconnected is caught up and objects that vanished can be cleaned up), then
watches from the list's resourceVersion for a bounded time. Handlers receive plain
dicts with the API's field names (camelCase) whatever client call produced them.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

import urllib3
from kubernetes import watch
from kubernetes.client import ApiClient
from kubernetes.client.exceptions import ApiException

log = logging.getLogger(__name__)

WATCH_SECONDS = 30


def as_dict(api: ApiClient, obj) -> dict:
    return obj if isinstance(obj, dict) else api.sanitize_for_serialization(obj)


def run_watch_loop(
    name: str,
    api: ApiClient,
    list_call: Callable,
    on_event: Callable[[str, dict], None],
    stop: threading.Event,
    resync: Callable[[list[dict]], None] | None = None,
    **list_kwargs,
) -> None:
    while not stop.is_set():
        try:
            listing = list_call(**list_kwargs)
            listing = as_dict(api, listing)
            items = listing.get("items") or []
            if resync:
                resync(items)
            for item in items:
                _safely(name, on_event, "SYNC", item)
            stream = watch.Watch().stream(
                list_call,
                resource_version=listing["metadata"]["resourceVersion"],
                timeout_seconds=WATCH_SECONDS,
                **list_kwargs,
            )
            for event in stream:
                if stop.is_set():
                    return
                if event["type"] == "ERROR":
                    break
                _safely(name, on_event, event["type"], as_dict(api, event["object"]))
        except ApiException as exc:
            if exc.status != 410:  # 410 Gone: the resourceVersion expired; just list again
                log.warning("%s: API error %s %s; retrying", name, exc.status, exc.reason)
                stop.wait(1)
        except (urllib3.exceptions.HTTPError, OSError) as exc:
            log.warning("%s: API server unreachable (%s); retrying", name, type(exc).__name__)
            stop.wait(1)
        except Exception:  # noqa: BLE001 - a bug with one object must not end the loop
            log.exception("%s: watch failed; retrying", name)
            stop.wait(1)


def _safely(name: str, handler: Callable, kind: str, obj: dict) -> None:
    try:
        handler(kind, obj)
    except Exception:  # noqa: BLE001 - one bad object must not stop the others
        meta = obj.get("metadata", {})
        log.exception("%s: handling %s %s/%s failed", name, kind, meta.get("namespace"), meta.get("name"))


def run_every(name: str, seconds: float, action: Callable[[], None], stop: threading.Event) -> None:
    while not stop.is_set():
        started = time.monotonic()
        try:
            action()
        except (urllib3.exceptions.HTTPError, OSError) as exc:
            log.warning("%s: API server unreachable (%s); retrying", name, type(exc).__name__)
        except Exception:  # noqa: BLE001
            log.exception("%s failed; retrying", name)
        stop.wait(max(0.05, seconds - (time.monotonic() - started)))


def start_thread(target: Callable, *args, name: str, **kwargs) -> threading.Thread:
    thread = threading.Thread(target=target, args=args, kwargs=kwargs, name=name, daemon=True)
    thread.start()
    return thread

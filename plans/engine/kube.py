"""Small helpers over the kubernetes client for idempotent steps."""

from __future__ import annotations

from kubernetes.client.rest import ApiException


def create(call, *args) -> bool:
    """Create an object; an object already there (a step run again) is fine. True if created now."""
    try:
        call(*args)
        return True
    except ApiException as exc:
        if exc.status == 409:
            return False
        raise


def read(call, *args):
    """The object, or None when it does not exist."""
    try:
        return call(*args)
    except ApiException as exc:
        if exc.status == 404:
            return None
        raise


def delete(call, *args, **kwargs) -> None:
    try:
        call(*args, **kwargs)
    except ApiException as exc:
        if exc.status != 404:
            raise


def events_for(core, namespace: str, kind: str, name: str) -> list:
    found = core.list_namespaced_event(namespace, field_selector=f"involvedObject.kind={kind},"
                                                                 f"involvedObject.name={name}").items
    return sorted(found, key=lambda e: (e.last_timestamp or e.event_time or e.metadata.creation_timestamp))

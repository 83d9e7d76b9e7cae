"""Live progress (DESIGN.md "Progress"): whatever changes a plan's migration rings the plan's
channel group; the plan's websocket (plans/consumers.py) passes a bare "changed" on, and the page
fetches what it shows, with the viewer's access checked on that fetch. Nothing else travels."""

import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

logger = logging.getLogger("mtvweb.live")


def plan_group(plan_id) -> str:
    return f"plan-{plan_id}"


def changed(plan_id) -> None:
    """Tell every browser watching the plan that something on its page changed. Callable from sync
    worker code; never fails the caller (a lost ring is covered by the page's periodic refresh)."""
    try:
        async_to_sync(get_channel_layer().group_send)(plan_group(plan_id), {"type": "plan.changed"})
    except Exception:  # noqa: BLE001 - a browser missing one update is no reason to stop a migration
        logger.debug("plan %s: change not announced", plan_id, exc_info=True)

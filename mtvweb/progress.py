"""Per-plan progress events: workers publish, the plan's websocket group receives.

Payloads are plain dicts, e.g. {"vm": "vm-42", "step": "DiskTransfer", "done": 10, "total": 40}.
"""

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer


def plan_group(plan_id) -> str:
    return f"plan-{plan_id}"


def publish(plan_id, payload: dict) -> None:
    """Send payload to every browser watching the plan. Callable from sync worker code."""
    async_to_sync(get_channel_layer().group_send)(plan_group(plan_id), {"type": "progress.event", "data": payload})

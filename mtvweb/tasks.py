"""Background tasks run by django-q2 workers."""

import time

from mtvweb.progress import publish


def demo_progress(plan_id: int, steps: int = 3, delay: float = 0.1) -> int:
    """Publish a few progress events for a plan: proves the worker → browser path end to end."""
    for done in range(1, steps + 1):
        publish(plan_id, {"step": "Demo", "done": done, "total": steps})
        time.sleep(delay)
    return steps

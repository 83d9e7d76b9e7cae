"""Live progress (DESIGN.md "Progress"): whatever changes a plan's migration rings the plan's
channel group; the plan's websocket (plans/consumers.py) passes a bare "changed" on, and the page
fetches what it shows, with the viewer's access checked on that fetch. Nothing else travels.

Whatever changes what a user may see (logging out, a role given or taken, the account changed)
rings the user's own group: their sockets check again and close when they may no longer watch."""

import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

logger = logging.getLogger("mtvweb.live")


def plan_group(plan_id) -> str:
    return f"plan-{plan_id}"


def user_group(user_id) -> str:
    return f"user-{user_id}"


def changed(plan_id) -> None:
    """Tell every browser watching the plan that something on its page changed. Callable from sync
    worker code; never fails the caller (a lost ring is covered by the page's periodic refresh)."""
    try:
        async_to_sync(get_channel_layer().group_send)(plan_group(plan_id), {"type": "plan.changed"})
    except Exception:  # noqa: BLE001 - a browser missing one update is no reason to stop a migration
        logger.debug("plan %s: change not announced", plan_id, exc_info=True)


def access_changed(user_id, ended_session: str = "") -> None:
    """Tell the user's sockets to check their access again (and the one of `ended_session` to close)."""
    try:
        async_to_sync(get_channel_layer().group_send)(
            user_group(user_id), {"type": "access.changed", "ended_session": ended_session})
    except Exception:  # noqa: BLE001 - the next signal checks access anyway
        logger.debug("user %s: access change not announced", user_id, exc_info=True)


def connect_access_signals() -> None:
    """Ring the user's group after whatever may change their access is committed."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.signals import user_logged_out
    from django.db import transaction
    from django.db.models.signals import post_delete, post_save

    from mtvweb.roles import NamespaceRole

    def role_changed(sender, instance, **kwargs):
        user_id = instance.user_id
        transaction.on_commit(lambda: access_changed(user_id))

    def account_changed(sender, instance, **kwargs):
        user_id = instance.pk
        transaction.on_commit(lambda: access_changed(user_id))

    def logged_out(sender, request, user, **kwargs):
        if user is not None:
            access_changed(user.pk, ended_session=request.session.session_key or "")

    for name, signal in (("saved", post_save), ("deleted", post_delete)):
        signal.connect(role_changed, sender=NamespaceRole, weak=False, dispatch_uid=f"live-role-{name}")
        signal.connect(account_changed, sender=get_user_model(), weak=False, dispatch_uid=f"live-account-{name}")
    user_logged_out.connect(logged_out, weak=False, dispatch_uid="live-logout")

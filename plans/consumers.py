"""`/ws/plans/<id>/`: tells users who may view the plan that it changed; the page then fetches what it
shows (plans/live.py). Access is checked at connect and again before every signal is passed on: the
session must still be live and its user still allowed to view the plan. A logout, a changed role or
a deactivated account also rings the user's own group (plans/live.py), which closes the socket at
once instead of at the next signal."""

from types import SimpleNamespace

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.contrib.auth import get_user

from plans.live import plan_group, user_group
from plans.models import Plan

# Close codes in the private range (4000-4999) tell the browser why it was refused.
NOT_AUTHENTICATED = 4401
FORBIDDEN = 4403


class PlanProgressConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self):
        self.plan_id = int(self.scope["url_route"]["kwargs"]["plan_id"])
        session = self.scope.get("session")
        self.session_key = session.session_key if session is not None else None
        self.session_store = session.__class__ if session is not None else None  # the engine's SessionStore
        refusal = await self.refusal()
        if refusal:
            await self.close(code=refusal)
            return
        self.groups_joined = [plan_group(self.plan_id), user_group(self.user_id)]
        for group in self.groups_joined:
            await self.channel_layer.group_add(group, self.channel_name)
        await self.accept()

    @database_sync_to_async
    def refusal(self) -> int | None:
        """Why the socket may not (or no longer) carry the plan's signals: the close code, or None."""
        if not self.session_key:
            return NOT_AUTHENTICATED
        store = self.session_store(session_key=self.session_key)  # read afresh: the session may have ended
        user = get_user(SimpleNamespace(session=store))  # anonymous for an ended session or a changed password
        if not user.is_authenticated or getattr(self, "user_id", user.pk) != user.pk:
            return NOT_AUTHENTICATED
        self.user_id = user.pk
        if not Plan.objects.restrict(user, "view").filter(pk=self.plan_id).exists():
            return FORBIDDEN
        return None

    async def disconnect(self, code):
        for group in getattr(self, "groups_joined", []):
            await self.channel_layer.group_discard(group, self.channel_name)

    async def plan_changed(self, event):
        if await self.closed_if_refused():
            return
        await self.send_json({"changed": True})

    async def access_changed(self, event):
        if event.get("ended_session") and event["ended_session"] == self.session_key:
            await self.close(code=NOT_AUTHENTICATED)  # logging out: the session may not be gone yet
            return
        await self.closed_if_refused()

    async def closed_if_refused(self) -> bool:
        refusal = await self.refusal()
        if refusal:
            await self.close(code=refusal)
        return bool(refusal)

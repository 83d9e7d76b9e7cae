from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from plans.live import plan_group
from plans.models import Plan

# Close codes in the private range (4000-4999) tell the browser why it was refused.
NOT_AUTHENTICATED = 4401
FORBIDDEN = 4403


class PlanProgressConsumer(AsyncJsonWebsocketConsumer):
    """`/ws/plans/<id>/`: tells users who may view the plan that it changed; the page then fetches
    what it shows."""

    async def connect(self):
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=NOT_AUTHENTICATED)
            return
        self.plan_id = int(self.scope["url_route"]["kwargs"]["plan_id"])
        if not await self.may_view(user, self.plan_id):
            await self.close(code=FORBIDDEN)
            return
        self.group = plan_group(self.plan_id)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()

    @database_sync_to_async
    def may_view(self, user, plan_id) -> bool:
        return Plan.objects.restrict(user, "view").filter(pk=plan_id).exists()

    async def disconnect(self, code):
        if hasattr(self, "group"):
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def plan_changed(self, event):
        await self.send_json({"changed": True})

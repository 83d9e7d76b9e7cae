from django.urls import path

from plans.consumers import PlanProgressConsumer

websocket_urlpatterns = [
    path("ws/plans/<int:plan_id>/", PlanProgressConsumer.as_asgi()),
]

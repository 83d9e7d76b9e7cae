from django.apps import AppConfig


class PlansConfig(AppConfig):
    name = "plans"

    def ready(self):
        from django.db.models.signals import post_delete

        from plans import logs
        from plans.live import connect_access_signals
        from plans.models import Plan

        connect_access_signals()
        post_delete.connect(logs.forget, sender=Plan, dispatch_uid="plan-logs-forget")

from django.apps import AppConfig


class PlansConfig(AppConfig):
    name = "plans"

    def ready(self):
        from plans.live import connect_access_signals

        connect_access_signals()

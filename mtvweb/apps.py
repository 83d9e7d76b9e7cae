from django.apps import AppConfig


class MtvwebConfig(AppConfig):
    name = "mtvweb"
    verbose_name = "mtvweb"

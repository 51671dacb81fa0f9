from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "safehub.core"
    label = "core"
    verbose_name = "SafeHub core"

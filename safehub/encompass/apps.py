from django.apps import AppConfig


class EncompassConfig(AppConfig):
    name = "safehub.encompass"
    label = "encompass"
    verbose_name = "Operation Encompass"
